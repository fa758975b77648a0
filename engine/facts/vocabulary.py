"""Words for the closed values of park facts, in both languages, so explanations never show a raw
enum (`decrease`, `in_progress`): a template writes `{t.direction:label}`."""
from __future__ import annotations

__all__ = ["VALUE_LABELS"]

VALUE_LABELS: dict[str, dict[str, str]] = {
    # target direction and pace
    "decrease": {"zh": "下降型", "en": "to decrease"},
    "increase": {"zh": "提高型", "en": "to increase"},
    "compound": {"zh": "年均复合变化率，%/年", "en": "compound, % a year"},
    "linear": {"zh": "年均变化量", "en": "linear, per year"},
    # clause 5.5.1 target dimensions
    "carbon": {"zh": "碳排放", "en": "carbon"},
    "energy": {"zh": "能源", "en": "energy"},
    "resource": {"zh": "资源", "en": "resources"},
    "environment": {"zh": "环境", "en": "environment"},
    "industry": {"zh": "产业", "en": "industry"},
    # park level and type
    "national": {"zh": "国家级", "en": "national"},
    "provincial": {"zh": "省级", "en": "provincial"},
    "municipal": {"zh": "市级", "en": "municipal"},
    "other": {"zh": "其他级别", "en": "other level"},
    "economic_technological": {"zh": "经济技术开发区", "en": "economic and technological development zone"},
    "high_tech": {"zh": "高新技术产业开发区", "en": "high-tech industrial development zone"},
    "chemical": {"zh": "化工园区", "en": "chemical park"},
    "comprehensive": {"zh": "综合性工业园区", "en": "comprehensive industrial park"},
    "industry_cluster": {"zh": "产业集聚区", "en": "industrial cluster"},
    # cleaner-production audit and task status
    "none": {"zh": "未开展", "en": "not started"},
    "planned": {"zh": "已计划", "en": "planned"},
    "in_progress": {"zh": "进行中", "en": "in progress"},
    "completed": {"zh": "已完成", "en": "completed"},
    "done": {"zh": "已完成", "en": "done"},
    "delayed": {"zh": "延期", "en": "delayed"},
    "cancelled": {"zh": "已取消", "en": "cancelled"},
}
