"""The vocabulary of chitieu, defined once: the codes stored in data and outputs, and the Vietnamese words people
read for them. Every module takes its codes and labels from here (``docs/ARCHITECTURE.md``).

>>> STATUS_RANK["actual"] < STATUS_RANK["estimate"] < STATUS_RANK["derived"]
True
>>> VERDICT_VI["exceeded"], LEVELS_VI["thi-tran"]
('Vượt', 'thị trấn')
"""
from __future__ import annotations

__all__ = [
    "KINDS", "RATE_KINDS", "SHARE_KINDS", "DIRECTIONS", "COMPARATORS", "STATUSES", "RESULT_STATUSES", "STATUS_RANK",
    "LEVELS", "LEVELS_VI", "VERDICTS", "VERDICT_VI", "FLAG_VI", "BAND_TOLERANCE", "COMPARATOR_WORDS_VI",
    "DIRECTION_VI", "CONTRADICTING_COMPARATORS", "COMPARATOR_PREFIX_VI", "COMPARATOR_CELL_VI", "COMPARATOR_SIGN",
    "NO_RATIO_DOUBTS",
]

# --- what an indicator measures (docs/DATA_FORMAT.md, "kinds")
KINDS = ("level", "share", "rate_per_year", "reduction_per_year", "bound", "x_of_y", "cumulative", "qualitative")
#: kinds measured as a pace per year: an average over a span counts as that span's last year
RATE_KINDS = ("rate_per_year", "reduction_per_year")
#: kinds that are percentages of a whole (capped at 100 in projections)
SHARE_KINDS = ("share", "x_of_y")

# --- which way is better
DIRECTIONS = ("higher", "lower", "band")
DIRECTION_VI = {"higher": "càng cao càng tốt", "lower": "càng thấp càng tốt", "band": "quanh mục tiêu"}
#: how an indicator's direction was decided (indicators.csv, optional column direction_source): "" = by hand;
#: "assumed" = no rule applied — its verdicts need review until someone sets it
DIRECTION_SOURCES = ("", "hand", "target", "catalogue", "rule", "corrected", "qualitative", "assumed")
#: a band target (a planning figure such as population, written "=") is met within ±5 % of it
BAND_TOLERANCE = 0.05

# --- how a number relates to its bound
COMPARATORS = ("=", ">=", ">", "<=", "<")
COMPARATOR_WORDS_VI = {"=": "", ">=": "từ … trở lên", ">": "trên", "<=": "không quá", "<": "dưới"}
#: the words written before a number in a sentence ("trên 39 triệu đồng", "từ 5%", "không quá 1,7%")
COMPARATOR_PREFIX_VI = {"=": "", ">": "trên ", ">=": "từ ", "<": "dưới ", "<=": "không quá "}
#: the words written before a number in a table cell, short ("trên 39", "≥ 95") — tables and Excel number formats
COMPARATOR_CELL_VI = {"=": "", ">": "trên ", ">=": "≥ ", "<": "dưới ", "<=": "≤ "}
#: the bare signs, for compact lists (comparisons between localities, extraction proposals); "~" = about
COMPARATOR_SIGN = {"=": "", ">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< ", "~": "≈ "}
#: comparators a direction contradicts: a ceiling (dưới, không quá) on a higher-is-better target, and a floor on a
#: lower-is-better one — refused wherever targets come in
CONTRADICTING_COMPARATORS = {"higher": ("<", "<="), "lower": (">", ">=")}

# --- what a record is
STATUSES = ("target", "actual", "estimate", "derived")
#: statuses of a result, best first: an actual figure before an estimate (ước) before one derived by formula
RESULT_STATUSES = ("actual", "estimate", "derived")
STATUS_RANK = {s: i for i, s in enumerate(RESULT_STATUSES)}

# --- levels of government (data/localities.csv, column level)
LEVELS = ("quoc-gia", "tinh", "thanh-pho", "huyen", "thi-xa", "xa", "phuong", "thi-tran")
LEVELS_VI = {"quoc-gia": "cả nước", "tinh": "tỉnh", "thanh-pho": "thành phố", "huyen": "huyện", "thi-xa": "thị xã",
             "xa": "xã", "phuong": "phường", "thi-tran": "thị trấn"}

# --- the direction-aware verdict on a target (chitieu.core.engine)
VERDICTS = ("exceeded", "met", "not_met", "review", "unknown")
#: "review": the verdict rests on a doubtful reading or an assumed direction — shown instead of a clean verdict
VERDICT_VI = {"exceeded": "Vượt", "met": "Đạt", "not_met": "Không đạt", "review": "Cần rà soát",
              "unknown": "Chưa có số liệu"}
#: a verdict as documents write it in words (chitieu.io.quantity reads these codes), in Vietnamese
VERDICT_WORDS_VI = {"met": "Đạt", "exceeded": "Vượt", "not_met": "Không đạt", "completed": "Hoàn thành",
                    "maintained": "Giữ vững"}

#: why a reading may be wrong (io/quantity.py and the importer set these codes on a value's flags)
DOUBT_VI = {
    "separator_guessed": "dấu phân cách số phải đoán (ngữ cảnh không quyết định được)",
    "against_convention": "đọc dấu phân cách ngược quy ước Việt Nam",
    "unit_assumed": "đơn vị suy ra, không ghi trong ô",
    "several_numbers": "ô có nhiều số, không rõ số nào là giá trị",
    "year_or_count": "số giống năm: là năm hay là số lượng?",
    "unread": "không đọc được số",
    "space_grouping": "số viết cách quãng (1 234): đọc như một số",
    "sign_uncertain": "dấu trừ hay dấu gạch nối: không chắc",
    "x_over_y_not_share": "x/y với x lớn hơn y: không phải tỷ lệ",
    "ocr_damaged": "số có thể hỏng do OCR",
    "unit_differs": "đơn vị trong ô khác đơn vị của cột/chỉ tiêu",
    "scale_doubtful": "hàng nghìn viết hai lần (3.000 ngàn): kiểm tra bậc số",
    "direction_assumed": "chiều chỉ tiêu đặt mặc định (càng cao càng tốt): chưa ai xác nhận",
}

#: doubts that make a row's ratio meaningless, not merely uncertain: the value measures something else than the
#: indicator ("ước tăng 17,57%" against a target in tỷ đồng). The row shows no ratio and no computed verdict.
NO_RATIO_DOUBTS = ("unit_differs",)

# --- flags a results row can carry, and what they say to a reader
FLAG_VI = {
    **DOUBT_VI,
    "convention_disagrees": "tỷ lệ kiểu báo cáo và đánh giá theo chiều chỉ tiêu không khớp",
    "published_mismatch": "tỷ lệ in trong báo cáo không khớp với số liệu của chính dòng đó",
    "published_verdict_mismatch": "nhận xét in trong báo cáo không khớp với số liệu",
    "actual_is_bound": "kết quả chỉ ghi dạng cận (trên/dưới)",
    "target_is_bound": "chỉ tiêu ghi dạng cận",
    "actual_not_term_end": "kết quả lấy từ năm trước năm cuối nhiệm kỳ",
    "target_zero": "chỉ tiêu bằng 0: không tính được tỷ lệ",
    "separator_guessed": "dấu phân cách số được đoán theo ngữ cảnh",
    "qualitative": "chỉ tiêu định tính",
    "no_actual": "chưa có số liệu kết quả",
    "range_target": "chỉ tiêu là một khoảng: trong khoảng là Đạt, vượt đầu tốt hơn là Vượt; tỷ lệ tính theo cận "
                    "quyết định (cận dưới nếu càng cao càng tốt, cận trên nếu càng thấp càng tốt), tỷ lệ theo cận kia "
                    "ghi bên cạnh",
    "needs_review": "cần rà soát: tỷ lệ dựa trên một cách đọc chưa chắc chắn",
}
