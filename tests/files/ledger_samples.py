"""Ledgers as streets keep them, one per import, for the format tests: a title row, a header
with synonyms and a 序号 column, two rows, a footer. ``fixtures/make_fixtures.py`` writes the
same tables as .xls and .ods (one worksheet each; the import picks the sheet whose header
matches), since LibreOffice is not on every machine the tests run on."""

from apps.people.validators import id_check_char


def id_number(first17):
    return first17 + id_check_char(first17)


RESIDENT_IDS = (id_number("31010519400101001"), id_number("31010519410202002"))

SAMPLES = {
    "officers": {
        "url": "people:officer_import",
        "title": "甲街道灾害信息员花名册",
        "header": ["序号", "单位编码", "姓 名", "手机号", "聘任\n日期", "是否在岗"],
        "rows": [
            [1, "S1C1E1", "赵敏", "13900007777", "2025-03-01", "是"],
            [2, "S1C1", "钱多", "13900008888", "2025/3/2", "否"],
        ],
    },
    "residents": {
        "url": "people:resident_import",
        "title": "甲街道脆弱人群清单",
        "header": ["序号", "所属单位编码", "姓名", "类别", "身份证号码", "住址", "行动能力"],
        "rows": [
            [1, "S1C1", "孙老", "老", RESIDENT_IDS[0], "甲路1号", "半自理"],
            [2, "S1C1", "李孤", "孤", RESIDENT_IDS[1], "甲路2号", "能自理"],
        ],
    },
    "shelters": {
        "url": "shelters:import",
        "title": "甲街道避难场所台账",
        "header": [
            "序号",
            "所属单位编码",
            "场所名称",
            "室内/室外",
            "场所类型",
            "场所等级",
            "地址",
            "总面积（平方米）",
            "有效避难面积（平方米）",
            "可容纳人数",
            "管理单位",
        ],
        "rows": [
            [
                1,
                "S1C1",
                "甲一操场",
                "室外",
                "学校",
                "Ⅲ类",
                "甲路1号",
                "5000",
                "3000",
                "1500",
                "学校",
            ],
            [
                2,
                "S1C1",
                "甲一公园",
                "室外",
                "公园绿地",
                "Ⅲ类",
                "甲路2号",
                "800",
                "600",
                "300",
                "绿化所",
            ],
        ],
    },
    "stock": {
        "url": "supplies:import_stock",
        "title": "甲街道应急物资台账",
        "header": ["序号", "储备点代码", "物资代码", "批号", "有效期", "数量"],
        "rows": [
            [1, "S1-01", "B1", "A", "", "1000"],
            [2, "S1-01", "B1", "B", "", "40"],
        ],
    },
    "hazards": {
        "url": "hazards:import",
        "title": "甲街道隐患排查台账",
        "header": ["序号", "所属单位编码", "隐患名称", "类别", "隐患等级", "发现日期"],
        "rows": [
            [1, "S1C1", "3号楼楼道堆物", "楼道堆物", "一般隐患", "2026年3月1日"],
            [2, "S1C1", "5号楼楼道堆物", "楼道堆物", "一般隐患", "2026-3-2"],
        ],
    },
}


def table(kind):
    """The ledger's lines: title, header, rows, footer."""
    sample = SAMPLES[kind]
    width = len(sample["header"])
    return [
        [sample["title"], *[None] * (width - 1)],
        sample["header"],
        *sample["rows"],
        ["填表人：张三", *[None] * (width - 1)],
    ]
