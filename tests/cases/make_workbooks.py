"""How chain.xls and chain.ods were made (run once; the files are committed, the tests only read them).

They hold tests/cases/chain.csv as an officer's sheet would: a title row, a blank row, Chinese
headers on row 3, electricity recovery as a number Excel shows as a percentage.  The writers are
not dependencies of allocator (python-calamine reads both formats); in a scratch environment:

    python3 -m venv /tmp/wb && /tmp/wb/bin/pip install xlwt odfpy pandas
    /tmp/wb/bin/python tests/cases/make_workbooks.py
"""

from pathlib import Path

import pandas as pd
import xlwt

HERE = Path(__file__).parent
HEADERS = {"enterprise_id": "企业编号", "name": "企业名称", "park": "园区", "chain_link": "产业链环节", "tier": "分级",
           "employees": "员工数", "on_post": "在岗人数", "electricity_recovery": "用电恢复率", "output_value": "产值"}
TITLE = "柯桥区企业登记表（测试）"

frame = pd.read_csv(HERE / "chain.csv", dtype=str, keep_default_na=False)
rows = [[float(v) if c in ("employees", "on_post", "electricity_recovery", "output_value") else v for c, v in row.items()]
        for _, row in frame.iterrows()]

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("企业登记")
sheet.write_merge(0, 0, 0, len(HEADERS) - 1, TITLE)
for j, column in enumerate(frame.columns):
    sheet.write(2, j, HEADERS[column])
percent = xlwt.easyxf(num_format_str="0%")
for i, row in enumerate(rows):
    for j, (column, value) in enumerate(zip(frame.columns, row)):
        sheet.write(3 + i, j, value, percent if column == "electricity_recovery" else xlwt.Style.default_style)
book.save(HERE / "chain.xls")

table = pd.DataFrame(rows, columns=[HEADERS[c] for c in frame.columns])
with pd.ExcelWriter(HERE / "chain.ods", engine="odf") as writer:
    pd.DataFrame([[TITLE]]).to_excel(writer, sheet_name="企业登记", index=False, header=False)
    table.to_excel(writer, sheet_name="企业登记", index=False, startrow=2)
