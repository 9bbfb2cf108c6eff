"""The fixed words of the approval catalog: stages, project facts and their values. Pure: no Django,
so the planner, the rule checker and the catalog file reader can share them. The translated labels
live on the model choices in ``models.py``."""

# Stage values in the order a project meets them. The four numbered stages of the 2019 reform
# (国办发〔2019〕11号) are the middle four; enterprise registration and utility connections run beside.
STAGES = (
    "enterprise",  # 企业开办
    "project_land",  # 立项用地规划许可
    "engineering",  # 工程建设许可
    "construction",  # 施工许可
    "completion",  # 竣工验收
    "utilities",  # 市政公用
)
REFORM_STAGES = ("project_land", "engineering", "construction", "completion")

# A catalog file may name a stage by its Chinese name too; export always writes the English value.
STAGE_ALIASES = {
    "企业开办": "enterprise",
    "立项用地规划许可": "project_land",
    "工程建设许可": "engineering",
    "施工许可": "construction",
    "竣工验收": "completion",
    "市政公用": "utilities",
}

# The national target for the whole approval path (国办发〔2019〕11号): 120 working days.
NATIONAL_TARGET_WORKDAYS = 120

EIA_CATEGORIES = ("report_book", "report_table", "registration_form", "exempt")

# Kinds of time that an item's clock may exclude (专家评审, 听证, 检验检测, 现场踏勘).
CLOCK_EXCLUSIONS = ("expert_review", "hearing", "testing", "site_survey")

MATERIAL_FORMS = ("original", "copy")

STATUTORY_UNITS = ("workdays", "days")

# The facts that applicability rules and fee formulas may use, with their kind. Choice values mirror
# the project register's choices (a test keeps them equal) and the plan-input facts of this app.
CHOICE = "choice"
BOOLEAN = "boolean"
NUMBER = "number"

FACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approval_type": (CHOICE, ("examination", "ratification", "filing")),
    "industry": (CHOICE, tuple("ABCDEFGHIJKLMNOPQRST")),
    "construction_nature": (CHOICE, ("new", "expansion", "renovation", "tech_upgrade")),
    "project_type": (CHOICE, ("01", "02", "03", "04", "05")),
    "level": (CHOICE, ("city", "county")),
    "eia_category": (CHOICE, EIA_CATEGORIES),
    "total_investment_wan": (NUMBER, ()),
    "land_area_m2": (NUMBER, ()),
    "floor_area_m2": (NUMBER, ()),
    "energy_tce": (NUMBER, ()),
    "new_land": (BOOLEAN, ()),
    "in_evaluated_zone": (BOOLEAN, ()),
    "hazardous": (BOOLEAN, ()),
    "water_intake": (BOOLEAN, ()),
    "flood_risk_area": (BOOLEAN, ()),
    "highway_access": (BOOLEAN, ()),
    "special_fire_review": (BOOLEAN, ()),
    "public_venue": (BOOLEAN, ()),
    "new_company": (BOOLEAN, ()),
    "gas_connection": (BOOLEAN, ()),
}

NUMERIC_FACTS = tuple(name for name, (kind, _values) in FACTS.items() if kind == NUMBER)
