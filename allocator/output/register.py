"""The register template: the instance's columns as an empty workbook, ready for an officer to fill in.

Row 1 says what each column means (unit, required or not), row 2 is the header the reader
accepts (Chinese with ``--lang zh``), and the rows below carry drop-down lists (tier, chain
link) and checks on the numbers (whole counts, a share shown as a percentage, an output
above 0), so that most mistakes are caught while typing.  The reader skips the notes row
(the header is the first row holding the required columns).
"""

from __future__ import annotations

from allocator.data.instance import COLUMNS, COUNT_COLUMNS, REQUIRED
from allocator.output.words import COLUMN_NOTES, HEADERS, LINKS, name_of, t
from allocator.output.workbook import DECIMAL, Block, Sheet, workbook_bytes

MAX_COUNT = 10_000_000


def template_bytes(lang: str = "en", rows: int = 10_000) -> bytes:
    """The template workbook in ``lang`` with checks on ``rows`` rows."""
    header = [HEADERS[c] if lang == "zh" else c for c in COLUMNS]
    notes = [COLUMN_NOTES[c][lang] for c in COLUMNS]
    notes[0] = t("template_title", lang) + "\n" + notes[0]
    formats = {COLUMNS.index("electricity_recovery"): "0%", COLUMNS.index("output_value"): DECIMAL}
    sheet = Sheet(t("sheet_register", lang), [Block(header, [], formats)], notes=notes,
                  validations=_validations(lang), validated_rows=rows)
    return workbook_bytes([sheet])


def _validations(lang: str) -> dict[int, dict]:
    def show(column: str, kind: str = "stop") -> dict:
        return {"input_title": (HEADERS[column] if lang == "zh" else column)[:32], "input_message": COLUMN_NOTES[column][lang][:255],
                "error_type": kind, "ignore_blank": column not in REQUIRED}

    links = [name_of(LINKS, code, lang) for code in ("fibre", "weaving", "dyeing", "market", "trade", "other")]
    checks: dict[int, dict] = {
        COLUMNS.index("tier"): {"validate": "list", "source": ["A", "B", "C"], **show("tier")},
        # other links may be written: a warning, not a refusal
        COLUMNS.index("chain_link"): {"validate": "list", "source": links, **show("chain_link", "warning")},
        COLUMNS.index("electricity_recovery"): {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 10,
                                                **show("electricity_recovery")},
        COLUMNS.index("output_value"): {"validate": "decimal", "criteria": ">", "value": 0, **show("output_value")},
    }
    for column in COUNT_COLUMNS:
        low = 1 if column == "employees" else 0
        checks[COLUMNS.index(column)] = {"validate": "integer", "criteria": "between", "minimum": low, "maximum": MAX_COUNT,
                                         **show(column)}
    return checks
