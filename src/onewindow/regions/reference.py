"""Reference data of the demo city, 德阳市 (GB/T 2260 510600), and its standard departments."""

CITY = {"code": "510600", "name": "德阳市", "kind": "city", "division_code": "510600"}

# County-level units today (罗江 became a district in 2017) and the two development zones, which have no
# GB/T 2260 code of their own: they get internal codes and use their host district's division in codes.
COUNTY_UNITS = [
    {"code": "510603", "name": "旌阳区", "kind": "district", "division_code": "510603"},
    {"code": "510604", "name": "罗江区", "kind": "district", "division_code": "510604"},
    {"code": "510623", "name": "中江县", "kind": "county", "division_code": "510623"},
    {"code": "510681", "name": "广汉市", "kind": "county_city", "division_code": "510681"},
    {"code": "510682", "name": "什邡市", "kind": "county_city", "division_code": "510682"},
    {"code": "510683", "name": "绵竹市", "kind": "county_city", "division_code": "510683"},
    {"code": "Z510601", "name": "德阳经济技术开发区", "kind": "zone", "division_code": "510603"},
    {"code": "Z510602", "name": "德阳高新技术产业开发区", "kind": "zone", "division_code": "510603"},
]

DEPARTMENTS = [
    ("fgw", "发展和改革委员会"),
    ("jxw", "经济和信息化局"),
    ("zrzy", "自然资源和规划局"),
    ("zjj", "住房和城乡建设局"),
    ("sthj", "生态环境局"),
    ("swj", "水务局"),
    ("yjj", "应急管理局"),
    ("scjg", "市场监督管理局"),
    ("rfb", "人民防空办公室"),
    ("qxj", "气象局"),
    ("jtj", "交通运输局"),
    ("gdj", "供电公司"),
    ("swzx", "税务局"),
    ("xfj", "消防救援支队"),
]
