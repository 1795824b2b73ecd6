"""Every word the tool shows an officer, in English and Chinese, from one table.

Tiers, chain links, reasons, statuses and column headers are translated here and
nowhere else, so the report, the explanation and the exported headers always agree.
A test checks that every entry has both languages and that format fields match.
"""

from __future__ import annotations

from allocator.output.words_assign import ASSIGN_TEXT
from allocator.output.words_plan import PLAN_TEXT
from allocator.output.words_input import INPUT_TEXT

TEXT: dict[str, dict[str, str]] = {
    # report: headline and section titles
    "enterprises": {"en": "{n} enterprises", "zh": "{n} 家企业"},
    "headline_recovery": {"en": "Capacity recovery (output-weighted): ", "zh": "产能恢复率（按产值加权）："},
    "headline_plan": {"en": "Plan: ", "zh": "方案："},
    "stages_title": {"en": "Solver stages (values recomputed from the allocation)", "zh": "求解阶段（数值均由分配方案重新计算）"},
    "col_stage": {"en": "stage", "zh": "阶段"},
    "col_objective": {"en": "objective", "zh": "目标"},
    "col_status": {"en": "status", "zh": "状态"},
    "col_value": {"en": "value", "zh": "取值"},
    "col_bound": {"en": "best bound", "zh": "最优界"},
    "col_gap": {"en": "gap", "zh": "间隙"},
    "col_time": {"en": "time", "zh": "用时"},
    "recovery_title": {"en": "Capacity recovery, before → after", "zh": "产能恢复率：分配前 → 分配后"},
    "col_enterprises": {"en": "enterprises", "zh": "企业数"},
    "col_before": {"en": "before", "zh": "分配前"},
    "col_after": {"en": "after", "zh": "分配后"},
    "col_change": {"en": "change", "zh": "变化"},
    "overall": {"en": "overall", "zh": "全区"},
    "tier_row": {"en": "tier {tier}", "zh": "{tier}"},
    "link_row": {"en": "link {link}", "zh": "环节：{link}"},
    "not_listed": {"en": " (not listed)", "zh": "（未列入）"},
    "lowest_link": {"en": "lowest listed link: {before} → {after}", "zh": "最低产业链环节：{before} → {after}"},
    "points": {"en": "{sign}{value:.2f} pt", "zh": "{sign}{value:.2f} 个百分点"},
    "parks_title": {"en": "Parks with the largest gain (top {top} of {total})", "zh": "提升最大的园区（前 {top} 个，共 {total} 个）"},
    "col_park": {"en": "park", "zh": "园区"},
    "parks_rest": {"en": "{rest} other parks: {gained} gained, {same} unchanged", "zh": "其余 {rest} 个园区：{gained} 个提升，{same} 个不变"},
    "supplies_title": {"en": "Supplies", "zh": "物资"},
    "col_supply": {"en": "supply", "zh": "总量"},
    "col_used": {"en": "used", "zh": "已分配"},
    "col_left": {"en": "left", "zh": "剩余"},
    "masks": {"en": "masks", "zh": "口罩（只）"},
    "boxes": {"en": "boxes", "zh": "口罩（箱）"},
    "passes": {"en": "passes", "zh": "通行证"},
    "buses": {"en": "buses", "zh": "包车"},
    "seats_caption": {"en": "bus seats: {used} of {offered} used ({fill:.1f}%)", "zh": "包车座位：共 {offered} 个，已用 {used} 个（{fill:.1f}%）"},
    "nothing_title": {"en": "Enterprises that received nothing", "zh": "未获分配的企业"},
    "col_reason": {"en": "reason", "zh": "原因"},
    "col_count": {"en": "count", "zh": "数量"},
    "col_examples": {"en": "examples", "zh": "示例"},
    "nothing_caption": {"en": "{n} enterprises received something", "zh": "{n} 家企业获得了分配"},
    "notes_title": {"en": "Notes", "zh": "说明"},
    # warnings and notes in plain words, with the rule names
    "warn_link_absent": {
        "en": "chain link {link!r} is listed in rules.chain_links but no enterprise of this instance belongs to it; stage 1 skips it",
        "zh": "产业链环节“{link}”列在 rules.chain_links 中，但本实例没有该环节的企业；第 1 阶段跳过该环节",
    },
    "warn_link_ineligible": {
        "en": "no enterprise of chain link {link!r} reaches its electricity threshold (rules.electricity_threshold / tiers.*.electricity_threshold), so none of them can receive masks: that link can only rise through passes and buses",
        "zh": "产业链环节“{link}”没有企业达到用电恢复率门槛（rules.electricity_threshold / tiers.*.electricity_threshold），因此都不能获得口罩：该环节只能靠通行证和包车提升",
    },
    "warn_reserve_trimmed": {
        "en": "tier {tier} reserve (tiers.{tier}.mask_reserve = {rho:g}) asks for {reserve} boxes but its eligible enterprises can use only {usable}; the reserve is trimmed to what the tier can use",
        "zh": "{tier}类企业的口罩预留（tiers.{tier}.mask_reserve = {rho:g}）需要 {reserve} 箱，但该类符合条件的企业最多只能用 {usable} 箱；预留按实际可用量削减",
    },
    "note_seats": {"en": "{n} waiting workers fill spare seats on chartered buses", "zh": "{n} 名待返岗员工搭乘包车空余座位"},
    # explanation
    "explain_title": {"en": "{id} {name}", "zh": "{id} {name}"},
    "inputs": {"en": "Inputs", "zh": "企业情况"},
    "received": {"en": "Received", "zh": "获得分配"},
    "why": {"en": "Why", "zh": "原因"},
    "what_if": {"en": "What would have changed it (found by re-solving)", "zh": "怎样才会不同（重新求解得出）"},
    "field_park": {"en": "park", "zh": "园区"},
    "field_link": {"en": "chain link", "zh": "产业链环节"},
    "field_tier": {"en": "tier", "zh": "分级"},
    "field_staff": {"en": "employees / on post / away", "zh": "员工 / 在岗 / 待返岗"},
    "field_origin": {"en": "home region of away workers", "zh": "待返岗员工来源地"},
    "field_electricity": {"en": "electricity recovery", "zh": "用电恢复率"},
    "field_threshold": {"en": "threshold of its tier", "zh": "所属分级的门槛"},
    "field_stock": {"en": "masks in stock", "zh": "口罩库存"},
    "field_trucks": {"en": "trucks needing a pass", "zh": "需通行证车辆"},
    "field_value": {"en": "daily output at full capacity", "zh": "满产日产值"},
    "field_boxes": {"en": "mask boxes", "zh": "口罩箱数"},
    "field_passes": {"en": "freight passes", "zh": "通行证"},
    "field_returned": {"en": "workers returned", "zh": "返岗员工"},
    "field_buses": {"en": "on buses", "zh": "乘坐包车"},
    "field_capacity": {"en": "capacity recovery", "zh": "产能恢复率"},
    "field_binding": {"en": "held back by", "zh": "制约因素"},
    "field_best": {"en": "best it could reach with every input it can use", "zh": "获得所有可用物资后最多可达"},
    "none": {"en": "none", "zh": "无"},
    "full": {"en": "nothing (full capacity)", "zh": "无（已满负荷）"},
    "why_allocated": {"en": "It received supplies: the rules (chain balance first, then weighted output) valued them here.", "zh": "已获得物资：按规则（先保产业链各环节，再看加权产值）分配到该企业。"},
    "why_more": {"en": "It could still use more {what}; the supply went where the rules valued it more.", "zh": "它还可以用更多{what}；但这些物资按规则分配给了更需要的企业。"},
    "why_need_met": {"en": "Nothing it lacks is handed out: its capacity cannot rise with masks, passes or buses.", "zh": "它缺少的不是口罩、通行证或包车，分配这些物资不能提高其产能。"},
    "why_ineligible": {"en": "Masks would raise its capacity, but its electricity recovery {e:.1%} is below its tier's threshold {t:.1%}; nothing else it could receive would help.", "zh": "口罩可以提高其产能，但其用电恢复率 {e:.1%} 低于所属分级的门槛 {t:.1%}；其他物资对它没有帮助。"},
    "why_outranked": {"en": "Something would have helped ({what}), but the supplies went where the rules valued them more.", "zh": "{what}本可以帮助它，但这些物资按规则分配给了更需要的企业。"},
    "cf_threshold": {"en": "with electricity recovery at its threshold ({t:.1%}) it would receive {gets}", "zh": "若用电恢复率达到门槛（{t:.1%}），它将获得{gets}"},
    "cf_threshold_no": {"en": "even at its threshold ({t:.1%}) it would still be outranked", "zh": "即使用电恢复率达到门槛（{t:.1%}），仍会排在后面"},
    "cf_tier": {"en": "as a tier {tier} enterprise it would receive {gets}", "zh": "若为{tier}，它将获得{gets}"},
    "cf_tier_no": {"en": "even as a tier {tier} enterprise it would receive nothing", "zh": "即使为{tier}，也不会获得分配"},
    "cf_supply": {"en": "with {amount} more {what} in supply it would receive {gets}", "zh": "若{what}总量增加 {amount}，它将获得{gets}"},
    "cf_supply_range": {"en": "with {amount} more {what} in supply it would receive {gets} ({below} more were not enough)", "zh": "若{what}总量增加 {amount}，它将获得{gets}（增加 {below} 时仍不够）"},
    "cf_supply_no": {"en": "even {amount} more {what} in supply would not reach it", "zh": "即使{what}总量增加 {amount}，也分不到它"},
    "gets": {"en": "{boxes} boxes, {passes} passes, {returned} returned workers", "zh": "口罩 {boxes} 箱、通行证 {passes} 张、返岗 {returned} 人"},
    "what_masks": {"en": "masks", "zh": "口罩"},
    "what_passes": {"en": "freight passes", "zh": "通行证"},
    "what_buses": {"en": "charter buses", "zh": "包车"},
    "what_box_units": {"en": "masks ({boxes} boxes)", "zh": "口罩（{boxes} 箱）"},
    # charts
    "chart_links": {"en": "Capacity recovery per chain link", "zh": "各产业链环节产能恢复率"},
    "chart_tiers": {"en": "Capacity recovery per tier", "zh": "各分级产能恢复率"},
    "chart_supplies": {"en": "Supplies used and left", "zh": "物资分配与剩余"},
    "chart_sweep": {"en": "Scenarios compared", "zh": "情景对比"},
    "chart_recovery": {"en": "capacity recovery (%)", "zh": "产能恢复率 (%)"},
    "chart_overall": {"en": "overall recovery", "zh": "全区恢复率"},
    "chart_lowest": {"en": "lowest listed link", "zh": "最低产业链环节"},
    "chart_seats": {"en": "bus seats", "zh": "包车座位"},
    "chart_scenario": {"en": "scenario #", "zh": "情景编号"},
    # HTML report
    "html_title": {"en": "Resumption plan", "zh": "复工复产物资分配方案"},
    "html_sweep_title": {"en": "What-if comparison", "zh": "情景对比"},
    "kpi_recovery": {"en": "Capacity recovery", "zh": "产能恢复率"},
    "kpi_lowest": {"en": "Lowest listed chain link", "zh": "最低产业链环节"},
    "kpi_output": {"en": "Weighted output", "zh": "加权产值"},
    "kpi_allocated": {"en": "Enterprises supplied", "zh": "获得分配的企业"},
    "charts": {"en": "Charts", "zh": "图表"},
    "parks_all": {"en": "Parks (click a header to sort)", "zh": "各园区（点击表头排序）"},
    "bus_plan": {"en": "Bus plan", "zh": "包车计划"},
    "col_origin": {"en": "origin", "zh": "出发地"},
    "col_buses": {"en": "buses", "zh": "包车数"},
    "col_seats_used": {"en": "seats used / offered", "zh": "已用 / 提供座位"},
    "col_firms": {"en": "enterprises", "zh": "企业"},
    "col_scenario": {"en": "scenario", "zh": "情景"},
    "sweep_title": {"en": "What-if comparison (change against the base)", "zh": "情景对比（与基准情景相比的变化）"},
    "col_left_mpb": {"en": "left: masks, passes, buses", "zh": "剩余：口罩、通行证、包车"},
    "col_gaps": {"en": "gap: stage 1, 2, 3", "zh": "间隙：第 1、2、3 阶段"},
    "col_overrides": {"en": "changes", "zh": "调整"},
    "col_recovery": {"en": "recovery", "zh": "恢复率"},
    "col_lowest": {"en": "lowest link", "zh": "最低环节"},
    "col_output": {"en": "weighted output", "zh": "加权产值"},
    "col_masks_left": {"en": "masks left", "zh": "剩余口罩"},
    "col_passes_left": {"en": "passes left", "zh": "剩余通行证"},
    "col_buses_left": {"en": "buses left", "zh": "剩余包车"},
    "sweep_numbers": {"en": "scenario numbers on the chart follow the rows of this table (0 is the base)", "zh": "图中情景编号对应本表行号（0 为基准情景）"},
    "generated_by": {"en": "Generated by allocator {version}; figures recomputed from the allocation.", "zh": "由 allocator {version} 生成；所有数字均由分配方案重新计算。"},
    "unknown_enterprise": {"en": "no enterprise with id {id!r} in {file}", "zh": "{file} 中没有编号为 {id!r} 的企业"},
    # who gets what (solve --show parks / firms)
    "show_parks_title": {"en": "Deliveries by park: {which}", "zh": "各园区发放清单：{which}"},
    "show_firms_title": {"en": "Enterprises that receive something: {which} ({n})", "zh": "获得分配的企业：{which}（{n} 家）"},
    "show_all": {"en": "all", "zh": "全部"},
    "show_total": {"en": "total", "zh": "合计"},
    "filter_none": {"en": "no enterprise of {file} matches {options}; nothing was solved or written",
                    "zh": "{file} 中没有企业符合 {options}；未求解，也未写出任何文件"},
    "col_firms_got": {"en": "firms", "zh": "企业"},
    "col_boxes_masks": {"en": "boxes (masks)", "zh": "口罩箱（只）"},
    "col_returned": {"en": "returned", "zh": "返岗"},
    "col_firm": {"en": "enterprise", "zh": "企业"},
    "col_tier_link": {"en": "tier, link", "zh": "分级、环节"},
    "col_bus_ids": {"en": "buses", "zh": "包车"},
    # live progress on stderr (allocator.output.live) and Ctrl-C
    "live_reading": {"en": "reading and building the model", "zh": "读取数据、建立模型"},
    "live_stage": {"en": "stage {stage}/3: {name}", "zh": "第 {stage}/3 阶段：{name}"},
    "live_clock": {"en": "{elapsed} s of {limit} s", "zh": "{elapsed} 秒 / 限时 {limit} 秒"},
    "live_plan": {"en": "best plan {value}", "zh": "当前最好方案 {value}"},
    "live_bound": {"en": "bound {value}", "zh": "界 {value}"},
    "live_gap": {"en": "gap {gap}", "zh": "间隙 {gap}"},
    "live_done": {"en": "stage {stage}: {status}, {value}", "zh": "第 {stage} 阶段：{status}，{value}"},
    "live_stopping": {"en": "stopping: the best plan so far is verified and kept (Ctrl-C again quits writing nothing)", "zh": "正在停止：验证并保留目前最好的方案（再按 Ctrl-C 立即退出，不写任何文件）"},
    "interrupted": {"en": "interrupted: the plan above is the best found before Ctrl-C, verified; its gaps say how far from proven it is", "zh": "已中断：以上方案是按下 Ctrl-C 前找到的最好方案，已验证；间隙表示距离最优还有多远"},
    "quit": {"en": "quit: nothing was written", "zh": "已退出：未写入任何文件"},
    "live_explain_plan": {"en": "solving the plan{arg}", "zh": "求解分配方案{arg}"},
    "live_cf_threshold": {"en": "re-solving: electricity recovery at its threshold {arg}", "zh": "重新求解：用电恢复率达到门槛 {arg}"},
    "live_cf_tier": {"en": "re-solving: as a tier {arg} enterprise", "zh": "重新求解：若为 {arg} 类企业"},
    "live_cf_masks": {"en": "re-solving: {arg} more masks in supply", "zh": "重新求解：口罩总量增加 {arg} 只"},
    "live_cf_passes": {"en": "re-solving: {arg} more passes in supply", "zh": "重新求解：通行证增加 {arg} 张"},
    "live_cf_buses": {"en": "re-solving: {arg} more charter buses", "zh": "重新求解：包车增加 {arg} 辆"},
    # export workbook (allocation.xlsx, comparison.xlsx)
    "sheet_allocation": {"en": "allocation", "zh": "分配方案"},
    "sheet_masks": {"en": "masks", "zh": "口罩发放"},
    "sheet_passes": {"en": "passes", "zh": "通行证发放"},
    "sheet_buses": {"en": "buses", "zh": "包车"},
    "sheet_summary": {"en": "summary", "zh": "汇总"},
    "sheet_comparison": {"en": "comparison", "zh": "情景对比"},
    "sheet_file": {"en": "register", "zh": "登记表"},
    "col_figure": {"en": "figure", "zh": "指标"},
    "sheet_register": {"en": "register", "zh": "企业登记"},
    "template_written": {"en": "wrote {file}: the register's columns, a note on each, drop-down lists and checks for {rows} rows", "zh": "已写入 {file}：登记表各列、每列说明、下拉列表和 {rows} 行的数据校验"},
    "template_title": {"en": "Fill in one row per enterprise below the header; the notes row may stay.", "zh": "请在表头下方每行填写一家企业；本说明行可保留。"},
}

#: Feature tables, each in its own module, merged into TEXT (keys must not collide: a test checks).
FEATURE_TEXTS = (INPUT_TEXT, ASSIGN_TEXT, PLAN_TEXT)
for _table in FEATURE_TEXTS:
    TEXT.update(_table)

TIERS = {
    "A": {"en": "A (key)", "zh": "A类（重点企业）"},
    "B": {"en": "B (above-scale)", "zh": "B类（规上企业）"},
    "C": {"en": "C (small/micro)", "zh": "C类（小微企业）"},
}

LINKS = {
    "fibre": {"en": "fibre", "zh": "化纤"},
    "weaving": {"en": "weaving", "zh": "织造"},
    "dyeing": {"en": "dyeing", "zh": "印染"},
    "market": {"en": "market", "zh": "市场"},
    "trade": {"en": "trade", "zh": "外贸"},
    "other": {"en": "other", "zh": "其他"},
}

REASONS = {
    "allocated": {"en": "allocated", "zh": "已分配"},
    "need_met": {"en": "need already met (no input they lack is handed out)", "zh": "需求已满足（所缺并非可分配物资）"},
    "ineligible": {"en": "ineligible (electricity recovery below the tier's threshold, masks were the only help)", "zh": "不符合条件（用电恢复率未达门槛，只有口罩能帮助）"},
    "outranked": {"en": "outranked (supplies went where the rules value them more)", "zh": "排序靠后（物资按规则分给了更需要的企业）"},
}

STATUSES = {
    "optimal": {"en": "optimal", "zh": "最优"},
    "within gap": {"en": "within gap", "zh": "在间隙容差内"},
    "feasible": {"en": "feasible", "zh": "可行"},
    "time limit": {"en": "time limit", "zh": "达到时限"},
    "work limit": {"en": "work limit", "zh": "达到计算量上限"},
    "interrupted": {"en": "interrupted", "zh": "已中断"},
    "no solution": {"en": "no solution", "zh": "无解"},
    "skipped": {"en": "skipped", "zh": "跳过"},
    "no plan": {"en": "no plan", "zh": "无方案"},
    "failed": {"en": "failed", "zh": "失败"},
}

STAGES = {
    1: {"en": "max lowest link recovery", "zh": "最大化最低产业链环节恢复率"},
    2: {"en": "max weighted output", "zh": "最大化加权产值"},
    3: {"en": "min boxes + passes + buses", "zh": "最少使用口罩箱+通行证+包车"},
}

#: What each register column means, for the template's notes row (allocator template).
COLUMN_NOTES = {
    "enterprise_id": {"en": "unique id (required)", "zh": "唯一编号（必填）"},
    "name": {"en": "enterprise name (optional)", "zh": "企业名称（选填）"},
    "park": {"en": "industrial park: bus drop-off and mask delivery point (required)", "zh": "所在工业园区，包车下车点和口罩发放点（必填）"},
    "chain_link": {"en": "link of the industrial chain: pick from the list or write another (required)", "zh": "产业链环节：从下拉列表选择，也可填写其他（必填）"},
    "tier": {"en": "A key, B other above-scale, C small/micro (required)", "zh": "A 重点企业，B 其他规上企业，C 小微企业（必填）"},
    "employees": {"en": "headcount before the holiday, persons > 0 (required)", "zh": "节前员工总数，人，大于 0（必填）"},
    "on_post": {"en": "workers at work now, persons (required)", "zh": "目前在岗人数，人（必填）"},
    "workers_away": {"en": "workers waiting for transport, persons (optional, 0)", "zh": "等待包车返岗的人数，人（选填，默认 0）"},
    "origin": {"en": "home region of the away workers: bus departure (required when some are away)", "zh": "待返岗员工来源地，包车出发地（有待返岗员工时必填）"},
    "electricity_recovery": {"en": "electricity use now / same period last year, e.g. 83% (required)", "zh": "目前用电量 / 去年同期，如 83%（必填）"},
    "masks_in_stock": {"en": "masks already held, pieces (optional, 0)", "zh": "现有口罩，只（选填，默认 0）"},
    "trucks_needed": {"en": "vehicles that need a freight pass (optional, 0)", "zh": "需要跨区通行证的货车数，辆（选填，默认 0）"},
    "output_value": {"en": "daily output at full capacity, the value weight (optional: employees)", "zh": "满产日产值，作为权重（选填，默认等于员工数）"},
}

#: Notes the stages attach to their claims; others are shown as they come.
STAGE_NOTES = {
    "proven in stage 2": {"en": "proven in stage 2", "zh": "已在第 2 阶段证明"},
    "chain_balance is off": {"en": "chain_balance is off", "zh": "未启用产业链平衡"},
    "no listed chain link has members in this instance": {"en": "no listed chain link has members in this instance", "zh": "本实例中列出的产业链环节都没有企业"},
}

BINDING = {
    "workers": {"en": "workers", "zh": "人员"},
    "masks": {"en": "masks", "zh": "口罩"},
    "freight": {"en": "freight", "zh": "物流"},
    "": {"en": "nothing (full capacity)", "zh": "无（已满负荷）"},
}

#: Column headers of the exports; the values stay codes so that spreadsheets keep working.
HEADERS = {
    "enterprise_id": "企业编号", "name": "企业名称", "tier": "分级", "chain_link": "产业链环节", "park": "园区",
    "origin": "来源地", "employees": "员工数", "on_post": "在岗人数", "workers_away": "待返岗人数",
    "electricity_recovery": "用电恢复率", "masks_in_stock": "口罩库存", "trucks_needed": "需通行车辆",
    "output_value": "产值", "eligible": "符合口罩条件", "boxes": "口罩箱数", "masks": "口罩数", "passes": "通行证",
    "workers_returned": "返岗人数", "bus_ids": "包车编号", "c_before": "分配前恢复率", "c_after": "分配后恢复率",
    "binding": "制约因素", "reason": "原因", "bus_id": "包车编号", "workers": "人数", "seats_used": "已用座位",
    "seats": "座位数",
}


def t(key: str, lang: str, /, **fields: object) -> str:
    return TEXT[key][lang].format(**fields)


def name_of(table: dict[str, dict[str, str]], code: object, lang: str) -> str:
    """Translate a code (tier, link, reason, status); unknown codes are shown as they are."""
    entry = table.get(code)  # type: ignore[call-overload]
    return entry[lang] if entry else str(code)


def header(column: str, lang: str) -> str:
    return HEADERS.get(column, column) if lang == "zh" else column


def describe(problem, lang: str) -> str:
    """An :class:`allocator.errors.InputProblem` in the officer's language: where, then what.

    The column is named as the file's header wrote it; a problem without a wording of its own
    (one made by a caller with a plain message) keeps its English message."""
    if lang == "en":
        return str(problem)
    parts = [problem.file]
    if problem.cell_ref() is not None:
        parts.append(problem.cell_ref())
    else:
        if problem.sheet is not None:
            parts.append(t("where_sheet", lang, sheet=problem.sheet))
        if problem.row is not None:
            parts.append(t("where_row", lang, row=problem.row))
    if problem.column is not None:
        parts.append(t("where_column", lang, column=(problem.header or problem.column).strip()))
    what = t(problem.code, lang, **dict(problem.fields)) if problem.code in TEXT else problem.message
    return "，".join(parts) + "：" + what
