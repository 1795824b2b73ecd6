"""A week's plan (SPEC "A week's plan", ``allocator plan``): days 1..D at once, with arrivals.

    arrivals      ARRIVALS.csv, read and checked (file, row, column)
    problem       the horizon: stores per day (cumulative), buses per day, reserves; merged days
    evaluation    Plan (cumulative decisions per day) and evaluate(): every figure recomputed
    columns       the week's columns, plans read from and written to them
    formulation   the multi-day MIP, numbered rows; cuts: envelopes, no waste, reserves
    solve         the three stages over a window, with solve's holds and claims
    day_by_day    the baseline: each day alone, from what the days before left
    week          plan(): the baseline, then the week
    surplus       units a plan hands out beyond need, dropped
    export        deliveries.csv, buses.csv, daily.csv, allocation.csv, summary.json, manifest.json
    report        the terminal report (rich), en and zh
"""
