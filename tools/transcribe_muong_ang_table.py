"""Transcription of the Mường Ảng *Biểu kết quả* table (seed 002, lines 788-849) into data/muong-ang/.

Every value below was read by hand from the table; this script only writes the CSVs and checks that each raw
string is a substring of its line. Run: python tools/transcribe_muong_ang_table.py (rewrites the three files).
Cells of a row: 0 STT, 1 name, 2 NQ target 2020-2025, 3 estimate 2024, 4 estimate 2025, 5 printed comparison,
6 target 2030. Line 844 is shifted one cell left (no STT cell): its columns are read one to the left.
"""
from __future__ import annotations

import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = "002_12d62f31151c975c.txt"
LINES = (ROOT / "data" / "sources" / SEED).read_text(encoding="utf-8").splitlines()

# id, name, unit, kind, direction, catalogue_code, group, line, note
INDICATORS = [
    ("econ_share_agriculture", "Tỷ trọng nông, lâm nghiệp và thủy sản trong cơ cấu kinh tế", "%", "share", "lower", "econ_share_agriculture", "1", 790, "The resolution plans this share to fall (structural shift)."),
    ("econ_share_industry", "Tỷ trọng công nghiệp - xây dựng trong cơ cấu kinh tế", "%", "share", "band", "econ_share_industry", "1", 791, ""),
    ("econ_share_services", "Tỷ trọng thương mại - dịch vụ trong cơ cấu kinh tế", "%", "share", "higher", "econ_share_services", "1", 792, ""),
    ("income_per_capita", "Thu nhập bình quân đầu người", "triệu đồng/người/năm", "level", "higher", "income_per_capita", "1", 793, ""),
    ("budget_revenue", "Thu ngân sách trên địa bàn trung bình hằng năm (không bao gồm nguồn thu từ đấu giá QSD)", "tỷ đồng", "level", "higher", "budget_revenue_annual", "2", 794, "Yearly average over the term."),
    ("public_investment_disbursement", "Giải ngân vốn đầu tư công", "%", "share", "higher", "public_investment_disbursement", "2", 795, "Per cent of the yearly plan."),
    ("grain_output", "Tổng sản lượng lương thực cây có hạt trung bình", "tấn/năm", "level", "higher", "grain_output", "2", 796, ""),
    ("coffee_area", "Diện tích cà phê có hiệu quả", "ha", "level", "higher", "coffee_area", "3", 798, ""),
    ("fruit_tree_area", "Diện tích cây ăn quả", "ha", "level", "higher", "fruit_tree_area", "3", 799, "The table's name is 'Phát triển cây ăn quả'."),
    ("cattle_herd_growth", "Tốc độ tăng tổng đàn gia súc hằng năm", "%/năm", "rate_per_year", "higher", "cattle_herd_growth", "3", 800, ""),
    ("poultry_flock_growth", "Tốc độ tăng tổng đàn gia cầm bình quân hằng năm", "%/năm", "rate_per_year", "higher", "poultry_flock_growth", "3", 801, ""),
    ("electricity_consumption", "Điện tiêu thụ bình quân", "triệu kWh", "level", "higher", "", "4", 802, "2030 target only."),
    ("construction_stone", "Đá xây dựng bình quân", "m3", "level", "higher", "", "4", 803, "2030 target only."),
    ("crushed_sand", "Đá nghiền cát bình quân", "m3", "level", "higher", "", "4", 804, "2030 target only."),
    ("unfired_bricks", "Gạch xây (không nung)", "triệu viên", "level", "higher", "", "4", 805, "2030 target only."),
    ("domestic_water", "Nước sinh hoạt", "triệu m3", "level", "higher", "", "4", 806, "2030 target only."),
    ("retail_sales", "Tổng mức bán lẻ hàng hoá và doanh thu dịch vụ tiêu dùng bình quân hằng năm", "tỷ đồng", "level", "higher", "retail_sales", "4", 807, "2030 target only."),
    ("ntm_communes", "Xã đạt chuẩn và cơ bản đạt chuẩn nông thôn mới", "xã", "level", "higher", "ntm_communes", "5", 808, "Counts communes that meet or basically meet the standard."),
    ("ntm_advanced_communes", "Xã đạt chuẩn nông thôn mới nâng cao", "xã", "level", "higher", "ntm_advanced_communes", "5", 809, ""),
    ("ntm_criteria_avg", "Số tiêu chí nông thôn mới bình quân", "tiêu chí/xã", "level", "higher", "ntm_criteria_avg", "5", 810, ""),
    ("ntm_model_villages", "Bản đạt bản nông thôn mới kiểu mẫu", "bản", "level", "higher", "ntm_model_villages", "5", 812, "One cell of the table holds this and ntm_villages."),
    ("ntm_villages", "Bản đạt bản nông thôn mới", "bản", "level", "higher", "ntm_villages", "5", 812, "One cell of the table holds this and ntm_model_villages."),
    ("ntm_min_criteria", "Số tiêu chí nông thôn mới tối thiểu của mỗi xã", "tiêu chí", "level", "higher", "ntm_min_criteria", "5", 813, "Written 'Không có xã nào đạt dưới N tiêu chí': no commune below N criteria, read as a minimum N."),
    ("forest_area", "Diện tích rừng được duy trì, quản lý, bảo vệ và chăm sóc", "ha", "level", "higher", "forest_area", "6", 814, ""),
    ("forest_cover", "Độ che phủ rừng", "%", "share", "higher", "forest_cover", "6", 815, ""),
    ("forest_land_certified_forested", "Cấp giấy chứng nhận quyền sử dụng đất lâm nghiệp đã có rừng", "%", "x_of_y", "higher", "", "6", 816, "Share of the forested forest-land area (ha) that has land-use certificates; 'Hoàn thành' read as 100%."),
    ("forest_land_certified_unforested", "Cấp giấy chứng nhận quyền sử dụng đất lâm nghiệp chưa có rừng", "%", "x_of_y", "higher", "", "6", 817, "Share of the unforested forest-land area (ha) that has land-use certificates."),
    ("new_jobs_trained_term", "Tổng số lao động được đào tạo việc làm mới trong giai đoạn", "lao động", "cumulative", "higher", "new_jobs_term", "7", 818, "2026-2030 total (600 a year on average)."),
    ("rural_vocational_training_term", "Số lao động nông thôn được đào tạo nghề trong giai đoạn", "lao động", "cumulative", "higher", "rural_vocational_training_term", "7", 818, "2026-2030 total (200 a year on average)."),
    ("trained_labour_share", "Tỷ lệ lao động qua đào tạo", "%", "share", "higher", "trained_labour_share", "7", 819, ""),
    ("poverty_rate_reduction", "Mức giảm tỷ lệ hộ nghèo bình quân hằng năm", "điểm %/năm", "reduction_per_year", "higher", "poverty_rate_reduction", "8", 821, "Points per year: 2024 (15,83%, 7,4/yr over 4 years) and 2025 (12,58%, 6,37/yr over 5 years) both imply a 2020 rate of about 45%, which only holds if the reduction is in points; as a relative reduction they would imply 21,5% and 17,9%."),
    ("poverty_rate", "Tỷ lệ hộ nghèo", "%", "share", "lower", "poverty_rate", "8", 821, "Under the 2021-2025 multidimensional standard."),
    ("multidim_poverty_reduction", "Mức giảm tỷ lệ nghèo đa chiều (gồm hộ nghèo và cận nghèo) bình quân hằng năm", "điểm %/năm", "reduction_per_year", "higher", "poor_near_poor_rate_reduction", "8", 821, "The 2030 target counts poor AND near-poor households: not the same measure as poverty_rate_reduction."),
    ("commune_health_standard", "Số xã đạt bộ tiêu chuẩn quốc gia về y tế xã", "%", "share", "higher", "commune_health_standard_share", "9", 822, "Target: maintain 100%."),
    ("doctors_per_10k", "Tỷ lệ bác sỹ/vạn dân", "bác sỹ/vạn dân", "level", "higher", "doctors_per_10k", "9", 823, ""),
    ("commune_health_station_doctors", "Trạm y tế xã có bác sỹ", "%", "share", "higher", "commune_health_station_doctors_share", "9", 824, ""),
    ("hospital_beds_per_10k", "Số giường bệnh/1 vạn dân", "giường/vạn dân", "level", "higher", "hospital_beds_per_10k", "9", 825, "2030 target only; 200 per 10 000 is what the table prints."),
    ("population_growth", "Tỷ lệ phát triển dân số hằng năm", "%/năm", "rate_per_year", "lower", "population_growth", "9", 826, "A ceiling: lower is better."),
    ("population", "Tổng dân số toàn huyện", "người", "level", "band", "population", "9", 827, "A planning figure: the verdict reports the deviation."),
    ("health_insurance_coverage", "Tỷ lệ người dân tham gia bảo hiểm y tế", "%", "share", "higher", "health_insurance_coverage", "9", 828, "2030 target only."),
    ("social_insurance_coverage", "Tỷ lệ người tham gia bảo hiểm xã hội/tổng số đối tượng thuộc diện tham gia BHXH bắt buộc", "%", "share", "higher", "social_insurance_coverage", "9", 828, "2030 target only."),
    ("universal_education", "Phổ cập giáo dục", "", "qualitative", "higher", "", "10", 829, ""),
    ("national_standard_schools", "Trường đạt kiểm định chất lượng giáo dục và chuẩn quốc gia", "%", "x_of_y", "higher", "national_standard_schools_share", "10", 831, "Schools out of all schools; 32/35 is 91,43% where the table prints 91,42% (truncated)."),
    ("cultural_agencies", "Cơ quan, đơn vị, doanh nghiệp đạt danh hiệu văn hóa", "%", "share", "higher", "cultural_agencies_share", "11", 832, ""),
    ("cultural_villages", "Bản, tổ dân phố đạt danh hiệu văn hóa", "%", "share", "higher", "cultural_villages_share", "11", 833, ""),
    ("cultural_households", "Hộ gia đình được công nhận Gia đình văn hóa", "%", "share", "higher", "cultural_households_share", "11", 834, ""),
    ("villages_with_roads", "Bản, tổ dân phố có đường giao thông thuận tiện, đi lại ổn định hai mùa", "%", "share", "higher", "", "12", 835, ""),
    ("grid_electricity_villages", "Số bản được dùng điện lưới", "%", "x_of_y", "higher", "grid_electricity_villages_share", "12", 836, ""),
    ("grid_electricity_households", "Hộ gia đình được dùng điện lưới", "%", "share", "higher", "grid_electricity_households_share", "12", 836, "2030 target only."),
    ("clean_water_town_households", "Hộ gia đình thị trấn được sử dụng nước hợp vệ sinh", "%", "share", "higher", "", "12", 837, "Town households only; the catalogue's clean_water_households_share is all households."),
    ("clean_water_rural_households", "Hộ khu vực nông thôn được sử dụng nước hợp vệ sinh", "%", "share", "higher", "", "12", 837, "Rural households only."),
    ("commune_health_stations_upgraded", "Trạm y tế các xã được nâng cấp đảm bảo tiêu chuẩn khám, chữa bệnh", "%", "share", "higher", "", "12", 838, "2030 target only."),
    ("waste_collection_rate", "Tỷ lệ thu gom rác thải", "%", "share", "higher", "waste_collection_rate", "12", 839, "2030 target only."),
    ("duty_regime", "Chế độ trực chỉ huy, trực ban, trực sẵn sàng chiến đấu, trực cứu hộ cứu nạn", "", "qualitative", "higher", "", "13", 841, "2030 target only, in words."),
    ("defence_drills", "Diễn tập phòng chống cháy rừng, phòng chống lụt bão - tìm kiếm cứu nạn và diễn tập khu vực phòng thủ", "", "qualitative", "higher", "", "13", 842, "2030 target only, in words."),
    ("project_896_06", "Đề án 896 và Đề án 06 về dữ liệu dân cư", "", "qualitative", "higher", "", "13", 843, "2030 target only, in words."),
    ("civil_servants_qualified", "Công chức, viên chức có trình độ chuyên môn, lý luận đạt chuẩn theo vị trí việc làm", "%", "share", "higher", "", "13", 844, "The source row is shifted one cell left (its STT cell is missing)."),
    ("new_party_members", "Kết nạp đảng viên mới hằng năm", "đảng viên/năm", "level", "higher", "new_party_members_per_year", "13", 846, ""),
    ("party_orgs_excellent", "Tổ chức cơ sở đảng, tập thể lãnh đạo xếp loại hoàn thành xuất sắc nhiệm vụ hằng năm", "%", "share", "higher", "", "14", 847, ""),
    ("party_members_completed", "Đảng viên, cán bộ công chức viên chức xếp loại hoàn thành nhiệm vụ trở lên", "%", "share", "higher", "party_members_completed_share", "14", 847, ""),
    ("party_members_good", "Đảng viên, cán bộ công chức viên chức xếp loại hoàn thành tốt nhiệm vụ", "%", "share", "higher", "party_members_good_share", "14", 847, ""),
    ("party_orgs_good", "Tổ chức đảng hoàn thành tốt nhiệm vụ trở lên", "%", "share", "higher", "party_orgs_good_share", "14", 847, "2030 target only."),
    ("party_orgs_clean_strong", "Tổ chức đảng đạt tiêu chuẩn trong sạch vững mạnh", "%", "share", "higher", "party_orgs_clean_strong_share", "14", 847, "2030 target only."),
    ("private_enterprise_party_orgs", "Tổ chức đảng thành lập trong doanh nghiệp tư nhân", "tổ chức", "cumulative", "higher", "", "14", 848, "Continuation row (only its last cell is filled); the target is a range 01 - 02."),
    ("village_heads_party_members", "Trưởng bản, tổ dân phố, trưởng ban công tác mặt trận là đảng viên", "%", "share", "higher", "", "14", 848, "Continuation row."),
    ("mass_orgs_rated_completed", "Tổ chức cơ sở của MTTQ và các đoàn thể được đánh giá hoàn thành tốt nhiệm vụ trở lên", "%", "share", "higher", "", "15", 849, ""),
    ("mass_members_rated_completed", "Đoàn viên, hội viên, CBCCVC được đánh giá hoàn thành tốt nhiệm vụ trở lên", "%", "share", "higher", "", "15", 849, ""),
    ("member_households_out_of_poverty", "Hộ gia đình là đoàn viên, hội viên, CBCCVC thoát nghèo", "hộ/năm", "level", "higher", "", "15", 849, ""),
    ("model_examples", "Mô hình tiêu biểu", "mô hình", "level", "higher", "", "15", 849, ""),
]

# indicator, line, cell (or None), raw (None: the whole cell), status, period, value, comparator, num, den, note
T, E = "target", "estimate"
V = []
def row(ind, line, cells, *, target=None, e24=None, e25=None, t30=None):
    """cells: index of (target, e24, e25, t30) columns in this line. Each spec: (raw or None, value, comparator[, num, den, note])."""
    for spec, status, period, cell in ((target, T, "2025", cells[0]), (e24, E, "2024", cells[1]),
                                       (e25, E, "2025", cells[2]), (t30, T, "2030", cells[3])):
        if spec is None:
            continue
        raw, value, comp, *rest = spec
        num, den, note = (rest + [None, None, ""])[:3]
        V.append((ind, line, cell, raw, status, period, value, comp, num, den, note))

STD = (2, 3, 4, 6)
row("econ_share_agriculture", 790, STD, target=(None, 29.2, "="), e24=(None, 29.4, "="), e25=(None, 28.9, "="), t30=(None, 28.5, "="))
row("econ_share_industry", 791, STD, target=(None, 26.5, "="), e24=(None, 26.3, "="), e25=(None, 26.5, "="), t30=(None, 25.8, "="))
row("econ_share_services", 792, STD, target=(None, 44.3, "="), e24=(None, 44.3, "="), e25=(None, 44.6, "="), t30=(None, 45.7, "="))
row("income_per_capita", 793, STD, target=(None, 35, "="), e24=(None, 34.45, "="), e25=(None, 39, ">"), t30=(None, 47, ">"))
row("budget_revenue", 794, STD, target=(None, 16, "="), e24=(None, 17, "="), e25=(None, 17, "="), t30=(None, 20.1, "="))
row("public_investment_disbursement", 795, STD, target=("Đạt 100%", 100, "="), e24=("100%", 100, "="), e25=("100%", 100, "="), t30=("100%", 100, "="))
row("grain_output", 796, STD, target=(None, 17000, "="), e24=(None, 17504, "=", None, None, "'17,504' under a tấn/năm target of 17.000: the comma groups thousands here (17 504 t), not a decimal."),
    e25=(None, 17500, "=", None, None, "'17,500' read as 17 500 t, as for 2024."), t30=(None, 17000, "="))
row("coffee_area", 798, STD, target=(None, 2000, "="), e24=(None, 2815, "="), e25=(None, 2815, "="), t30=("4.000 ha", 4000, "=", None, None, "Of which 1.185 ha new planting and 100 ha replanting."))
row("fruit_tree_area", 799, STD, target=(None, 1000, "="), e24=(None, 509, "="), e25=(None, 509.1, "="), t30=(None, 509.1, "="))
row("cattle_herd_growth", 800, STD, target=(None, 3.5, "="), e24=(None, 2.5, "="), e25=(None, 2.5, "="), t30=(None, 2.5, "="))
row("poultry_flock_growth", 801, STD, target=(None, 8, "="), e24=(None, 5, ">"), e25=(None, 5, ">"), t30=(None, 5, "="))
row("electricity_consumption", 802, STD, t30=(None, 21.6, "="))
row("construction_stone", 803, STD, t30=(None, 72000, "="))
row("crushed_sand", 804, STD, t30=(None, 1800, "="))
row("unfired_bricks", 805, STD, t30=(None, 7.2, "="))
row("domestic_water", 806, STD, t30=(None, 1.8, "="))
row("retail_sales", 807, STD, t30=(None, 1500, "="))
row("ntm_communes", 808, STD, target=(None, 5, "="), e24=(None, 2, "="), e25=(None, 3, "="), t30=("05 xã", 5, "=", None, None, "Ăng Nưa, Búng Lao, Ăng Cang, Ăng Tờ meeting the standard; Mường Lạn basically meeting it."))
row("ntm_advanced_communes", 809, STD, target=(None, 1, "="), e24=(None, 0, "="), e25=(None, 0, "="))
row("ntm_criteria_avg", 810, STD, target=(None, 15.6, "="), e24=(None, 13.7, "="), e25=(None, 14.5, "="), t30=(None, 16.1, "="))
row("ntm_model_villages", 812, STD, target=("Trên 10 bản đạt bản NTM kiểu mẫu", 10, ">"), e24=("02 bản đạt NTM kiểu mẫu", 2, "="), e25=("02 bản đạt NTM kiểu mẫu", 2, "="), t30=("06 bản NTM kiểu mẫu", 6, "="))
row("ntm_villages", 812, STD, target=("trên 12 bản NTM", 12, ">"), e24=("07 bản đạt NTM", 7, "="), e25=("07 bản đạt NTM", 7, "="), t30=("20 bản NTM", 20, "="))
row("ntm_min_criteria", 813, STD, target=("Không có xã nào đạt dưới 10 tiêu chí", 10, ">="), e24=("Không có xã nào đạt dưới 10 tiêu chí", 10, ">="),
    e25=("Không có xã nào đạt dưới 11 tiêu chí", 11, ">="), t30=("Không có xã nào dưới 13 tiêu chí", 13, ">="))
row("forest_area", 814, STD, target=(None, 15078, "="), e24=(None, 15125, "="), e25=(None, 15248, "="), t30=(None, 16097.12, "="))
row("forest_cover", 815, STD, target=(None, 34, "="), e24=(None, 34.11, "="), e25=(None, 34.39, "="), t30=(None, 36.3, "="))
row("forest_land_certified_forested", 816, STD, target=("Hoàn thành Cấp giấy chứng nhận quyền sử dụng đất lâm nghiệp đã có rừng", 100, "=", None, None, "'Hoàn thành' (complete) read as 100% of the area."),
    e24=(None, None, "=", 4686.23, 5153.01), e25=("Hoàn thành Cấp giấy chứng nhận quyền sử dụng đất lâm nghiệp đã có rừng", None, "=", None, None, "Words only: claims completion."))
row("forest_land_certified_unforested", 817, STD, target=(None, 50, "="), e24=(None, None, "=", 6984.91, 7783.45),
    e25=("Hoàn thành Cấp giấy chứng nhận quyền sử dụng đất lâm nghiệp chưa có rừng", None, "=", None, None, "Words only: claims completion."))
row("new_jobs_trained_term", 818, STD, t30=("đạt 3.000 lao động", 3000, "="))
row("rural_vocational_training_term", 818, STD, t30=("đào tạo nghề cho 1.000 lao động nông thôn", 1000, "="))
row("trained_labour_share", 819, STD, target=(None, 45.6, "="), e24=(None, 26.82, "="), e25=(None, 28.0, "="), t30=(None, 35.0, "="))
row("poverty_rate_reduction", 821, STD, target=("Giảm tỷ lệ hộ nghèo bình quân 3,5%/năm trở lên", 3.5, ">="), e24=("giảm 7,4%/năm", 7.4, "="), e25=("giảm 6,37%/năm", 6.37, "="))
row("poverty_rate", 821, STD, e24=("Tỷ lệ hộ nghèo còn 15,83%", 15.83, "="), e25=("Tỷ lệ hộ nghèo còn 12,58%", 12.58, "="))
row("multidim_poverty_reduction", 821, STD, t30=("bình quân từ 3%/năm", 3, ">="))
row("commune_health_standard", 822, STD, target=("Giữ vững 100% số xã", 100, ">="), e24=("70% số xã", 70, "="), e25=("Giữ vững 100% số xã", 100, "="), t30=("Giữ vững 100% số xã", 100, ">="))
row("doctors_per_10k", 823, STD, target=(None, 12, "="), e24=(None, 11.5, "="), e25=(None, 11.5, "="), t30=(None, 11.5, "="))
row("commune_health_station_doctors", 824, STD, target=(None, 100, "="), e24=(None, 100, "="), e25=(None, 100, "="), t30=(None, 100, "="))
row("hospital_beds_per_10k", 825, STD, t30=("200 giường bệnh/1 vạn dân", 200, "="))
row("population_growth", 826, STD, target=(None, 1.7, "<=", None, None, "Written without words; a ceiling on population growth."), e24=(None, 1.6, "="), e25=(None, 1.5, "="), t30=(None, 1.5, "<="))
row("population", 827, STD, target=(None, 53000, "="), e24=(None, 52470, "="), e25=(None, 53200, "="), t30=(None, 56500, "="))
row("health_insurance_coverage", 828, STD, t30=("Bảo hiểm Y tế đạt 95%", 95, "="))
row("social_insurance_coverage", 828, STD, t30=("thuộc diện tham gia BHXH bắt buộc đạt 90%", 90, "="))
row("universal_education", 829, STD, target=(None, None, "="), e24=(None, None, "="), e25=(None, None, "="), t30=(None, None, "="))
row("national_standard_schools", 831, STD, target=(None, 83.3, "=", 30, 36), e24=(None, 91.89, "=", 34, 37), e25=(None, 91.42, "=", 32, 35, "32/35 = 91,43%; the table prints 91,42%."), t30=(None, 97.14, "=", 34, 35))
row("cultural_agencies", 832, STD, target=(None, 98, "="), e24=(None, 98.8, "="), e25=(None, 98.9, "="), t30=(None, 98, "="))
row("cultural_villages", 833, STD, target=(None, 60, "="), e24=(None, 82.2, "="), e25=(None, 81.36, "="), t30=(None, 80, "="))
row("cultural_households", 834, STD, target=(None, 75, "="), e24=(None, 75.65, "="), e25=(None, 75.65, "="), t30=(None, 75, "="))
row("villages_with_roads", 835, STD, target=("100% các bản, tổ dân phố", 100, "="), e24=("100% các bản, tổ dân phố", 100, "="), e25=("100% các bản, tổ dân phố", 100, "="), t30=("100% các bản, tổ dân phố", 100, "="))
row("grid_electricity_villages", 836, STD, target=("100% số bản", 100, "="), e24=(None, None, "=", 113, 118), e25=(None, None, "=", 118, 118), t30=("100% số bản", 100, "="))
row("grid_electricity_households", 836, STD, t30=("99,9% hộ gia đình", 99.9, "="))
row("clean_water_town_households", 837, STD, target=("100% số hộ gia đình thị trấn", 100, "="), e24=("100% số hộ gia đình thị trấn", 100, "="), e25=("100% số hộ gia đình thị trấn", 100, "="), t30=("100% số hộ gia đình thị trấn", 100, "="))
row("clean_water_rural_households", 837, STD, target=("98% số hộ khu vực nông thôn", 98, "="), e24=("98% số hộ khu vực nông thôn", 98, "="), e25=("98% số hộ khu vực nông thôn", 98, "="), t30=("99% số hộ khu vực nông thôn", 99, "="))
row("commune_health_stations_upgraded", 838, STD, t30=("100% trạm y tế các xã", 100, "="))
row("waste_collection_rate", 839, STD, t30=("Tỷ lệ thu gom rác thải đạt 99%", 99, "="))
row("duty_regime", 841, STD, t30=(None, None, "="))
row("defence_drills", 842, STD, t30=(None, None, "="))
row("project_896_06", 843, STD, t30=(None, None, "="))
SHIFTED = (1, 2, 3, 5)
row("civil_servants_qualified", 844, SHIFTED, target=("100% công chức", 100, "="), e24=("97,47% công chức", 97.47, "="), e25=("97,47% công chức", 97.47, "="), t30=("100% công chức", 100, "="))
row("new_party_members", 846, STD, target=(None, 130, ">="), e24=(None, 195, ">="), e25=(None, 195, ">="), t30=(None, 150, "="))
row("party_orgs_excellent", 847, STD, target=("Hàng năm có 20% tổ chức cơ sở đảng", 20, "="), e24=("có 20% tổ chức cơ sở đảng", 20, "="), e25=("có 20% tổ chức cơ sở đảng", 20, "="))
row("party_members_completed", 847, STD, target=("trên 99% đảng viên", 99, ">"), e24=("trên 99% đảng viên", 99, ">"), e25=("trên 99% đảng viên", 99, ">"), t30=("trên 99% đảng viên", 99, ">"))
row("party_members_good", 847, STD, target=("98% hoàn thành tốt nhiệm vụ", 98, "="), e24=("98% hoàn thành tốt nhiệm vụ", 98, "="), e25=("98% hoàn thành tốt nhiệm vụ", 98, "="))
row("party_orgs_good", 847, STD, t30=("Trên 90% tổ chức đảng hoàn thành tốt nhiệm vụ trở lên", 90, ">"))
row("party_orgs_clean_strong", 847, STD, t30=("có 20% tổ chức đảng đạt tiêu chuẩn trong sạch vững mạnh", 20, "="))
row("private_enterprise_party_orgs", 848, STD, t30=("thành lập 01 - 02 tổ chức đảng", 1, ">=", None, None, "A range 1 to 2: stored as at least 1."))
row("village_heads_party_members", 848, STD, t30=("Trên 80% trường bản", 80, ">"))
row("mass_orgs_rated_completed", 849, STD, t30=("80% tổ chức cơ sở được đánh giá HTTNV trở lên", 80, ">="))
row("mass_members_rated_completed", 849, STD, t30=("80% đoàn viên, hội viên, CBCCVC được đánh giá HTTNV trở lên", 80, ">="))
row("member_households_out_of_poverty", 849, STD, t30=("từ 100 số hộ gia đình", 100, ">="))
row("model_examples", 849, STD, t30=("có từ 6 mô hình tiêu biểu trở lên", 6, ">="))

# indicator, line, cell, raw (None: whole cell), value (printed %), verdict words
CMP_CELL = 5
COMPARISONS = [
    ("econ_share_agriculture", 790, None, 99, "Đạt"), ("econ_share_industry", 791, None, 100, "Đạt"),
    ("econ_share_services", 792, None, 101, "Đạt"), ("income_per_capita", 793, None, 111, "Đạt"),
    ("budget_revenue", 794, None, 106, ""), ("public_investment_disbursement", 795, None, 100, "Đạt"),
    ("grain_output", 796, None, 103, ""), ("coffee_area", 798, None, 141, ""), ("fruit_tree_area", 799, None, 51, ""),
    ("cattle_herd_growth", 800, None, 71, ""), ("poultry_flock_growth", 801, None, 63, ""),
    ("ntm_communes", 808, None, 60, ""), ("ntm_advanced_communes", 809, None, None, "Không đạt chỉ tiêu NQ"),
    ("ntm_criteria_avg", 810, None, 93, ""), ("ntm_model_villages", 812, None, None, "Không đạt chỉ tiêu NQ"),
    ("ntm_villages", 812, None, None, "Không đạt chỉ tiêu NQ"), ("ntm_min_criteria", 813, None, 110, ""),
    ("forest_area", 814, None, 101.13, ""), ("forest_cover", 815, None, 101.15, ""),
    ("forest_land_certified_forested", 816, None, 90.94, "Đạt"), ("forest_land_certified_unforested", 817, None, 179.48, "Đạt"),
    ("trained_labour_share", 819, None, 62, "Đạt"), ("poverty_rate_reduction", 821, None, 182, "Đạt"),
    ("commune_health_standard", 822, None, None, "Đạt chỉ tiêu"), ("doctors_per_10k", 823, None, 96, ""),
    ("commune_health_station_doctors", 824, None, 100, ""), ("population_growth", 826, None, 88, "Đạt"),
    ("population", 827, None, 100.4, ""), ("universal_education", 829, None, None, "Vượt chỉ tiêu NQ"),
    ("national_standard_schools", 831, None, None, "Vượt chỉ tiêu NQ"), ("cultural_agencies", 832, None, 100.92, ""),
    ("cultural_villages", 833, None, 135.6, ""), ("cultural_households", 834, None, 100.87, ""),
    ("villages_with_roads", 835, None, 100, "Đạt"), ("grid_electricity_villages", 836, None, 100, "Đạt"),
    ("clean_water_town_households", 837, None, 100, "Đạt"), ("clean_water_rural_households", 837, None, 100, "Đạt"),
    ("civil_servants_qualified", 844, 4, 97.47, "Đạt"), ("new_party_members", 846, None, 150, "Đạt"),
    ("party_orgs_excellent", 847, None, 100, "Đạt"), ("party_members_completed", 847, None, 100, "Đạt"),
    ("party_members_good", 847, None, 100, "Đạt"),
]


def cell_text(line: int, cell: int) -> str:
    cells = LINES[line - 1].split("\t")
    return cells[cell].strip()


def src(line: int) -> str:
    return f"{SEED}:{line}"


def num(x) -> str:
    if x is None:
        return ""
    return repr(float(x)).removesuffix(".0") if float(x) == int(float(x)) else repr(float(x))


def main() -> None:
    out = ROOT / "data" / "muong-ang"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "indicators.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "unit", "kind", "direction", "catalogue_code", "group", "source", "note"])
        for ind, name, unit, kind, direction, code, group, line, note in INDICATORS:
            w.writerow([ind, name, unit, kind, direction, code, group, src(line), note])
    with open(out / "values.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "period", "status", "value", "comparator", "numerator", "denominator", "raw", "source", "formula", "note"])
        for ind, line, cell, raw, status, period, value, comp, n, d, note in V:
            text = raw if raw is not None else cell_text(line, cell)
            assert text and text in LINES[line - 1], (ind, line, text)
            w.writerow([ind, period, status, num(value), comp, num(n), num(d), text, src(line), "", note])
    with open(out / "comparisons.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "period", "value", "verdict", "raw", "source", "note"])
        for ind, line, cell, value, verdict in COMPARISONS:
            text = cell_text(line, CMP_CELL if cell is None else cell)
            assert text, (ind, line)
            w.writerow([ind, "2025", num(value), verdict, text, src(line), ""])
    print(f"{len(INDICATORS)} indicators, {len(V)} values, {len(COMPARISONS)} comparisons")


if __name__ == "__main__":
    main()
