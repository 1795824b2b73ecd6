"""What an officer's sheet may look like and still load: encodings, Chinese headers, free order."""

from __future__ import annotations

import numpy as np
import pytest

from allocator.errors import InputError
from allocator.data.reading import read_instance
from allocator.data.scenario import Scenario, load_scenario

ENGLISH = "enterprise_id,name,park,chain_link,tier,employees,on_post,workers_away,origin,electricity_recovery,masks_in_stock,trucks_needed,output_value\n"
ROW = "E1,绍兴恒达印染有限公司,柯桥第1工业园,dyeing,A,100,50,10,贵州毕节,0.9,100,1,5.5\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(tmp_path, encoding):
    path = tmp_path / "x.csv"
    path.write_bytes((ENGLISH + ROW).encode(encoding))
    inst = read_instance(path)
    assert inst.name[0] == "绍兴恒达印染有限公司"
    assert inst.origin[0] == "贵州毕节"


def test_forced_encoding_overrides_detection(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes((ENGLISH + ROW).encode("gb18030"))
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_instance(path, encoding="utf-8")


def test_chinese_headers_free_order_unknown_columns_and_blank_lines(tmp_path):
    header = "备注,产值,企业编号,企业名称,园区,产业链环节,分级,员工数,在岗人数,待返岗人数,来源地,用电恢复率,口罩库存,需通行车辆\n"
    rows = "随便,5.5,E1,甲,P1,印染,a,100,50,10,贵州,0.9,100.0,1\n\n,,E2,乙,P1,外贸,C,10,10,,,0.2,,\n"
    path = tmp_path / "x.csv"
    path.write_bytes((header + rows).encode("utf-8"))
    inst = read_instance(path)
    assert inst.enterprise_id.tolist() == ["E1", "E2"]
    assert inst.chain_link.tolist() == ["dyeing", "trade"]  # Chinese link names map to the scenario's codes
    assert inst.tier.tolist() == ["A", "C"]
    assert inst.masks_in_stock.tolist() == [100, 0]  # "100.0" is a whole number; blank takes the default
    assert inst.output_value.tolist() == [5.5, 10.0]  # blank output value defaults to employees
    assert inst.rows.tolist() == [2, 4]  # line numbers as the officer sees them


def test_header_names_are_trimmed_and_case_insensitive(tmp_path):
    header = " Enterprise_ID , PARK,Chain_Link,Tier,Employees,On_Post,Electricity_Recovery\n"
    path = tmp_path / "x.csv"
    path.write_bytes((header + "E1,P1,fibre,B,10,5,1.2\n").encode())
    inst = read_instance(path)
    assert inst.electricity_recovery.tolist() == [1.2]  # above 1 is allowed
    assert inst.workers_away.tolist() == [0]


def test_scenario_defaults_match_the_spec():
    sc = Scenario.default()
    assert (sc.supply.masks, sc.supply.mask_pack, sc.supply.passes, sc.supply.buses, sc.supply.bus_seats) == (380000, 50, 94, 60, 50)
    assert sc.supply.boxes == 7600
    assert sc.rules.masks_per_worker == 14
    assert sc.rules.chain_links == ("fibre", "weaving", "dyeing", "market", "trade")
    assert [sc.tiers[t].weight for t in "ABC"] == [3, 2, 1]
    assert sc.threshold("A") == 0.8


def test_overrides_make_a_new_scenario_and_tier_thresholds_override_rules(tmp_path):
    base = Scenario.default()
    path = tmp_path / "s.toml"
    path.write_text('[rules]\nelectricity_threshold = 0.7\n[tiers.C]\nelectricity_threshold = 0.9\n', encoding="utf-8")
    sc = load_scenario(path, ["supply.masks=400000", "rules.chain_links=[\"dyeing\"]", "rules.chain_balance=false"])
    assert (sc.supply.masks, sc.rules.chain_links, sc.rules.chain_balance) == (400000, ("dyeing",), False)
    assert (sc.threshold("A"), sc.threshold("C")) == (0.7, 0.9)
    assert base.supply.masks == 380000  # the base is untouched
    later = sc.with_overrides(["rules.electricity_threshold=0.6"])
    assert (later.threshold("A"), later.threshold("C")) == (0.6, 0.9)


def test_generated_instance_round_trips_through_the_reader(tmp_path):
    from allocator.data.generate import generate, to_csv_bytes

    frame = generate("small", 3)
    path = tmp_path / "g.csv"
    path.write_bytes(to_csv_bytes(frame))
    inst = read_instance(path)
    assert len(inst) == len(frame)
    assert np.array_equal(inst.employees, frame["employees"].to_numpy())
    assert np.allclose(inst.electricity_recovery, frame["electricity_recovery"].to_numpy())
