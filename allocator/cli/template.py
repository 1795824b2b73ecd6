"""``allocator template``: an empty register workbook a district can start filling in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import LangOpt, app, fail_on_bad_input


@app.command()
def template(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="The .xlsx file to write, e.g. 企业登记表.xlsx.")],
    lang: LangOpt = None,
    rows: Annotated[int, typer.Option(min=1, max=1_000_000, metavar="N", help="Rows that get the drop-down lists and checks.")] = 10_000,
) -> None:
    """Write an empty register workbook: the columns, a note on each, drop-down lists for tier and
    chain link, checks on the numbers."""
    from allocator.output.register import template_bytes
    from allocator.output.transaction import Outputs
    from allocator.output.words import t

    language = lang.value if lang else "en"
    try:
        outputs = Outputs()
        outputs.file(output, template_bytes(language, rows))
        outputs.commit()
    except Exception as exc:
        fail_on_bad_input(exc, language)
    typer.echo(t("template_written", language, file=str(output), rows=f"{rows:,}"))
