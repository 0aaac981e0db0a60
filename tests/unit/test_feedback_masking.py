import unicodedata

import pytest

from services.feedback.masking import MASK, mask_personal_data


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912345678",
        "+84912345678",
        "(+84) 912 345 678",
        "84912345678",
        "84 912 345 678",
        "024 3825 1234",  # a landline: 11 digits
    ],
)
def test_a_phone_number_is_masked_however_it_is_written(phone):
    assert mask_personal_data(f"Gọi {phone} sau 17 giờ.") == f"Gọi {MASK} sau 17 giờ."


@pytest.mark.parametrize(
    "text",
    [
        "Họp ngày 05.06.2026 lúc 10.30 tại hội trường.",
        "Kinh phí 1.000.000 đồng, 250.000.000 đồng cho 12 hộ.",
        "Theo Luật số 10/2022/QH15 và Nghị định 59/2023/NĐ-CP.",
        "Năm 2026 có 1234 hộ, 20260605 là số văn bản.",
    ],
)
def test_dates_amounts_and_legal_references_are_not_phone_or_id_numbers(text):
    assert mask_personal_data(text) == text


def test_an_email_address_is_masked():
    assert mask_personal_data("Thư gửi lan.tran+xa@gmail.com.vn nhé") == f"Thư gửi {MASK} nhé"


@pytest.mark.parametrize("number", ["001099012345", "123456789"])
def test_an_identity_card_number_is_masked(number):
    # CCCD has 12 digits, the old CMND 9.
    assert mask_personal_data(f"CCCD số {number}, cấp năm 2021") == f"CCCD số {MASK}, cấp năm 2021"


def test_a_household_code_with_letters_and_digits_is_masked():
    assert mask_personal_data("Hộ HA7K2M ở tổ 3") == f"Hộ {MASK} ở tổ 3"


def test_a_household_code_after_ma_ho_is_masked_even_in_small_letters_or_letters_only():
    assert mask_personal_data("mã hộ: ha7k2m") == f"mã hộ: {MASK}"
    assert mask_personal_data("Mã hộ gia đình KHMN") == f"Mã hộ gia đình {MASK}"


def test_acronyms_are_not_taken_for_household_codes():
    text = "UBND xã, HĐND, MTTQ và BTTND đã họp; đơn PA-TEST theo QH15."
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "address, masked",
    [
        ("số 12 ngõ 5 phố Huế", f"số {MASK} ngõ 5 phố Huế"),
        ("Số 12A, đường Hai Bà Trưng", f"Số {MASK}, đường Hai Bà Trưng"),
        ("số nhà 34 thôn Đông", f"số nhà {MASK} thôn Đông"),
        ("nhà số 7/2 xóm Bắc", f"nhà số {MASK} xóm Bắc"),
        ("12/3 đường Nguyễn Trãi", f"{MASK} đường Nguyễn Trãi"),
        ("hẻm 12/3 Lý Thường Kiệt", "hẻm 12/3 Lý Thường Kiệt"),  # a lane: a place
    ],
)
def test_a_house_number_is_masked_but_not_the_street(address, masked):
    assert mask_personal_data(address) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Từ ngày 12/3 đường bị ngập.",  # a date before "đường"
        "Cần sửa 3 đường ống nước.",
        "Quyết định số 12 ngày 05/06/2026.",
    ],
)
def test_numbers_that_are_not_house_numbers_stay(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text, masked",
    [
        ("ông Nguyễn Văn An đổ rác", f"ông {MASK} đổ rác"),
        ("Bà Tư bán hàng", f"Bà {MASK} bán hàng"),
        ("Tôi gặp chị Lan và anh Tuấn.", f"Tôi gặp chị {MASK} và anh {MASK}."),
        ("em Hoa, cô Hằng, chú Ba, bác Năm", f"em {MASK}, cô {MASK}, chú {MASK}, bác {MASK}"),
        ("bà Nguyễn Thị Lan Anh", f"bà {MASK}"),
    ],
)
def test_a_name_after_a_title_is_masked_and_the_title_kept(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Trần Văn Hùng lấn chiếm vỉa hè", f"{MASK} lấn chiếm vỉa hè"),
        ("do Đặng Thị Ngọc Ánh ký", f"do {MASK} ký"),
        ("Cán bộ xã Lê Văn Bình nhận tiền", f"Cán bộ xã {MASK} nhận tiền"),
        ("hộ Võ Đức Ưng", f"hộ {MASK}"),
        ("Đỗ Ắt", MASK),  # capitals with accents are capitals
        ("gui Nguyen Van Nam", f"gui {MASK}"),  # typed without accents
    ],
)
def test_a_common_family_name_with_capitalised_words_is_masked(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Đường Lê Lợi mất điện, phố Bà Triệu ngập, ngõ Văn Chương tối.",
        "Quận Hoàng Mai và tỉnh Cao Bằng, TP. Thái Bình",
        "Tôi ở Hà Nội, con ở Thành phố Hồ Chí Minh, học theo Bác Hồ.",
    ],
)
def test_a_name_after_a_street_or_district_word_is_a_place(text):
    assert mask_personal_data(text) == text


def test_the_whole_street_name_stays_even_with_a_family_name_inside():
    text = "Đường Lê Văn Lương bị ngập."  # "Văn" is also a family name
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Trần nhà văn hóa bị dột. Mai tôi đến. Lý do: đèn hỏng.",
        "Văn bản trả lời gửi bà con, anh em trong thôn.",
        "Ông Chủ tịch UBND xã đã tiếp công dân.",
        "Chị trưởng thôn cho biết đèn ở Ngã Tư đã sửa.",
        "Các anh ở UBND xã và em",
    ],
)
def test_ordinary_sentences_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_the_filers_known_details_are_masked_wherever_they_appear():
    known = ["Nguyen Van Khoa", "0912345678", "khoa@example.vn", "HA7K2M", "xóm 3 thôn Đông"]
    text = (
        "Tôi là nguyen van khoa, số 0912.345.678 hoặc +84 912 345 678, "
        "thư KHOA@example.vn, hộ ha7k2m, nhà ở Xóm 3  Thôn Đông."
    )

    assert mask_personal_data(text, known) == (
        f"Tôi là {MASK}, số {MASK} hoặc {MASK}, thư {MASK}, hộ {MASK}, nhà ở {MASK}."
    )


def test_a_known_value_is_masked_as_a_whole_word_only():
    assert mask_personal_data("Lan ở Lang Chánh", ["Lan"]) == f"{MASK} ở Lang Chánh"


def test_a_very_short_known_value_is_ignored():
    assert mask_personal_data("An toàn giao thông", ["An"]) == "An toàn giao thông"


def test_text_typed_with_decomposed_accents_is_masked_too():
    decomposed = unicodedata.normalize("NFD", "ông Nguyễn Văn An")

    assert mask_personal_data(decomposed) == f"ông {MASK}"
