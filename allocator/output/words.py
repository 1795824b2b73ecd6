"""Every word the tool shows an officer, in English and Chinese, from one table.

Tiers, chain links, reasons, statuses and column headers are translated here and
nowhere else, so the report, the explanation and the exported headers always agree.
A test checks that every entry has both languages and that format fields match.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    # report: headline and section titles
    "enterprises": {"en": "{n} enterprises", "zh": "{n} 家企业"},
    "headline_recovery": {"en": "Capacity recovery (output-weighted): ", "zh": "产能恢复率（按产值加权）："},
    "headline_plan": {"en": "   Plan: ", "zh": "   方案："},
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
    "cf_tier": {"en": "as a tier {tier} enterprise it would receive {gets}", "zh": "若为{tier}类企业，它将获得{gets}"},
    "cf_tier_no": {"en": "even as a tier {tier} enterprise it would receive nothing", "zh": "即使为{tier}类企业，也不会获得分配"},
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
    # --- plan --- (allocator plan: a week's plan; words of its report, explanation and export headers)
    "plan_days": {"en": "{days} days", "zh": "{days} 天"},
    "plan_arrivals": {"en": "arrivals: {file}", "zh": "到货：{file}"},
    "plan_no_arrivals": {"en": "nothing arrives", "zh": "无新到物资"},
    "plan_headline_recovery": {"en": "Capacity recovery (output-weighted), day {first} → day {last}: ", "zh": "产能恢复率（按产值加权），第 {first} 天 → 第 {last} 天："},
    "plan_stages_title": {"en": "Stages over the week (values summed over the days, recomputed from the plan)", "zh": "全周求解阶段（各天数值之和，均由方案重新计算）"},
    "plan_stage_1": {"en": "max lowest link, summed over the days", "zh": "最大化各天最低产业链环节恢复率之和"},
    "plan_stage_2": {"en": "max weighted output-days", "zh": "最大化加权产值（按天累计）"},
    "plan_stage_3": {"en": "min boxes+passes+buses over the week", "zh": "全周最少使用口罩箱+通行证+包车"},
    "plan_gain_title": {"en": "The week's plan against day by day (each morning solved alone)", "zh": "全周方案与逐日方案（每天单独求解）对比"},
    "plan_col_week": {"en": "week's plan", "zh": "全周方案"},
    "plan_col_by_day": {"en": "day by day", "zh": "逐日方案"},
    "plan_col_gain": {"en": "gain", "zh": "提升"},
    "plan_gain_caption": {"en": "day by day: every day {status}; largest gap of its days {gap}", "zh": "逐日方案：各天状态 {status}；最大间隙 {gap}"},
    "plan_gain_unproven": {"en": "not every day proven", "zh": "并非每天都已证明"},
    "plan_gain_proven": {"en": "proven", "zh": "均已证明"},
    "plan_days_title": {"en": "The week, day by day", "zh": "全周逐日情况"},
    "plan_col_day": {"en": "day", "zh": "天"},
    "plan_col_arrived": {"en": "arrived: masks / passes / buses", "zh": "到货：口罩 / 通行证 / 包车"},
    "plan_col_handed": {"en": "handed out: boxes / passes / buses / workers", "zh": "发放：口罩箱 / 通行证 / 包车 / 返岗人数"},
    "plan_col_left": {"en": "left: masks / passes", "zh": "库存：口罩 / 通行证"},
    "plan_col_recovery": {"en": "recovery", "zh": "恢复率"},
    "plan_col_lowest": {"en": "lowest link", "zh": "最低环节"},
    "plan_col_output": {"en": "weighted output", "zh": "加权产值"},
    "plan_parks_title": {"en": "Deliveries by park and day (the {top} parks served most each day)", "zh": "各园区逐日配送（每天显示配送最多的 {top} 个园区）"},
    "plan_parks_rest": {"en": "and {rest} more parks on day {day}", "zh": "第 {day} 天另有 {rest} 个园区"},
    "plan_nothing_handed": {"en": "nothing is handed out on any day", "zh": "各天均无发放"},
    "plan_exported_by_day": {"en": "--day-by-day: the export and the figures above the stages carry the day-by-day plan", "zh": "--day-by-day：导出文件和阶段表以上的数字为逐日方案"},
    "plan_interrupted": {"en": "stopped on request: the plan kept is the best verified so far; its stages claim only what was proven", "zh": "已按要求停止：保留目前已验证的最佳方案；各阶段只声明已证明的结论"},
    "plan_explain_days": {"en": "Day by day", "zh": "逐日分配"},
    "plan_explain_day": {"en": "day {day}: {gets}; capacity {c}", "zh": "第 {day} 天：{gets}；产能恢复率 {c}"},
    "plan_explain_nothing": {"en": "day {day}: nothing; capacity {c}", "zh": "第 {day} 天：无；产能恢复率 {c}"},
    "plan_explain_gets": {"en": "{boxes} boxes, {passes} passes, {returned} workers back", "zh": "口罩 {boxes} 箱、通行证 {passes} 张、返岗 {returned} 人"},
    "plan_explain_buses": {"en": " (buses {ids})", "zh": "（包车 {ids}）"},
    "plan_explain_why_title": {"en": "Why not earlier", "zh": "为何不更早"},
    "plan_why_first": {"en": "everything it received came on day {day}, the first day of the plan", "zh": "所获物资均于计划首日（第 {day} 天）发放"},
    "plan_why_workers": {"en": "boxes on day {day}: its masks already covered the staff on post, and the no-waste rule gives masks only for workers who are back; its workers came back on day {day}", "zh": "第 {day} 天的口罩：其库存已够在岗员工使用，按不浪费规则只能为已返岗员工发放；其员工于第 {day} 天返岗"},
    "plan_why_store": {"en": "{what} on day {day}: every one in store was handed out on day {before}", "zh": "第 {day} 天的{what}：第 {before} 天的库存已全部发放"},
    "plan_why_ranked": {"en": "{what} on day {day}: earlier, what was in store went where the rules valued it more over the week", "zh": "第 {day} 天的{what}：此前的库存按规则优先分给了全周价值更高的企业"},
    "plan_why_no_bus": {"en": "workers on day {day}: no charter bus ran before that day", "zh": "第 {day} 天返岗：此前没有可用包车"},
    "plan_why_bus_elsewhere": {"en": "workers on day {day}: the buses of the days before went to other routes, where the rules valued them more", "zh": "第 {day} 天返岗：此前的包车按规则优先安排给了其他线路"},
    "plan_why_nothing": {"en": "it received nothing during the week: {reason}", "zh": "全周未获分配：{reason}"},
    "plan_what_workers": {"en": "workers", "zh": "返岗员工"},
    "plan_what_boxes": {"en": "boxes", "zh": "口罩"},
    "plan_what_passes": {"en": "passes", "zh": "通行证"},
    "plan_chart_links": {"en": "Chain-link recovery over the week", "zh": "全周各产业链环节恢复率"},
    "plan_chart_stores": {"en": "Left in store at the end of each day", "zh": "每天结束时的库存"},
    "plan_chart_day": {"en": "day", "zh": "天"},
    "plan_chart_masks": {"en": "masks (thousands)", "zh": "口罩（千只）"},
    "plan_chart_passes": {"en": "passes", "zh": "通行证"},
    "plan_html_title": {"en": "A week's plan", "zh": "全周复工物资分配方案"},
    "header_day": {"en": "day", "zh": "天"},
    "header_c_day": {"en": "c_day{day}", "zh": "第{day}天恢复率"},
    "header_masks_arrived": {"en": "masks_arrived", "zh": "到货口罩"},
    "header_passes_arrived": {"en": "passes_arrived", "zh": "新增通行证"},
    "header_buses_arrived": {"en": "buses_arrived", "zh": "新增包车"},
    "header_boxes_handed_out": {"en": "boxes_handed_out", "zh": "发放口罩箱数"},
    "header_masks_handed_out": {"en": "masks_handed_out", "zh": "发放口罩数"},
    "header_passes_handed_out": {"en": "passes_handed_out", "zh": "发放通行证"},
    "header_buses_used": {"en": "buses_used", "zh": "使用包车"},
    "header_masks_left": {"en": "masks_left", "zh": "剩余口罩"},
    "header_passes_left": {"en": "passes_left", "zh": "剩余通行证"},
    "header_buses_unused": {"en": "buses_unused", "zh": "未用包车"},
    "header_recovery": {"en": "recovery", "zh": "产能恢复率"},
    "header_link": {"en": "link_{link}", "zh": "环节恢复率_{link}"},
    "header_lowest_link": {"en": "lowest_link", "zh": "最低环节恢复率"},
    "header_weighted_output": {"en": "weighted_output", "zh": "加权产值"},
    # --- end of plan ---
}

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
    "no solution": {"en": "no solution", "zh": "无解"},
    "skipped": {"en": "skipped", "zh": "跳过"},
    "no plan": {"en": "no plan", "zh": "无方案"},
    "failed": {"en": "failed", "zh": "失败"},
}

STAGES = {
    1: {"en": "max lowest link recovery", "zh": "最大化最低产业链环节恢复率"},
    2: {"en": "max weighted output", "zh": "最大化加权产值"},
    3: {"en": "min boxes+passes+buses", "zh": "最少使用口罩箱+通行证+包车"},
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


def t(key: str, lang: str, **fields: object) -> str:
    return TEXT[key][lang].format(**fields)


def name_of(table: dict[str, dict[str, str]], code: object, lang: str) -> str:
    """Translate a code (tier, link, reason, status); unknown codes are shown as they are."""
    entry = table.get(code)  # type: ignore[call-overload]
    return entry[lang] if entry else str(code)


def header(column: str, lang: str) -> str:
    return HEADERS.get(column, column) if lang == "zh" else column
