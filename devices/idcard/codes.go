// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import "strconv"

// GenderName turns a GB/T 2261.1 gender code into its name: 0 未知, 1 男,
// 2 女, 9 未说明. Other values come back unchanged.
func GenderName(code string) string {
	switch code {
	case "0":
		return "未知"
	case "1":
		return "男"
	case "2":
		return "女"
	case "9":
		return "未说明"
	}
	return code
}

// GenderCode is GenderName's inverse; a value that is not a name comes back
// unchanged.
func GenderCode(name string) string {
	switch name {
	case "未知":
		return "0"
	case "男":
		return "1"
	case "女":
		return "2"
	case "未说明":
		return "9"
	}
	return name
}

// nations returns the GB 3304 names of the 56 nationalities, code 01 first.
// (A function rather than a package variable: no mutable package state.)
func nations() [56]string {
	return [56]string{
		"汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
		"满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
		"佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
		"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
		"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
		"独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
	}
}

// Names of GB 3304's two codes past the 56 nationalities.
const (
	nationOther   = "其他"
	nationForeign = "外国血统中国籍人士" // 98: of foreign origin, Chinese nationality
)

// NationName turns a GB 3304 nation code ("01" … "56", "97", "98") into its
// name (汉, 蒙古, …). Other values come back unchanged.
func NationName(code string) string {
	n, err := strconv.Atoi(code)
	if err != nil || len(code) != 2 {
		return code
	}
	switch {
	case n >= 1 && n <= 56:
		return nations()[n-1]
	case n == 97:
		return nationOther
	case n == 98:
		return nationForeign
	}
	return code
}

// NationCode is NationName's inverse; a value that is not a name comes back
// unchanged.
func NationCode(name string) string {
	switch name {
	case nationOther:
		return "97"
	case nationForeign, "外国血统":
		return "98"
	}
	for i, n := range nations() {
		if n == name {
			return strconv.Itoa(101 + i)[1:] // two digits, zero-padded
		}
	}
	return name
}

// countries pairs ISO 3166-1 alpha-3 codes with their Chinese short names, for
// the nationalities a hall most often sees. The list is not exhaustive: other
// codes are shown as codes.
func countries() [][2]string {
	return [][2]string{
		{"USA", "美国"}, {"CAN", "加拿大"}, {"MEX", "墨西哥"}, {"BRA", "巴西"}, {"ARG", "阿根廷"},
		{"CHL", "智利"}, {"PER", "秘鲁"}, {"COL", "哥伦比亚"}, {"CUB", "古巴"},
		{"GBR", "英国"}, {"IRL", "爱尔兰"}, {"FRA", "法国"}, {"DEU", "德国"}, {"ITA", "意大利"},
		{"ESP", "西班牙"}, {"PRT", "葡萄牙"}, {"NLD", "荷兰"}, {"BEL", "比利时"}, {"LUX", "卢森堡"},
		{"CHE", "瑞士"}, {"AUT", "奥地利"}, {"SWE", "瑞典"}, {"NOR", "挪威"}, {"DNK", "丹麦"},
		{"FIN", "芬兰"}, {"ISL", "冰岛"}, {"POL", "波兰"}, {"CZE", "捷克"}, {"HUN", "匈牙利"},
		{"ROU", "罗马尼亚"}, {"BGR", "保加利亚"}, {"SRB", "塞尔维亚"}, {"GRC", "希腊"},
		{"RUS", "俄罗斯"}, {"UKR", "乌克兰"}, {"BLR", "白俄罗斯"}, {"TUR", "土耳其"}, {"ISR", "以色列"},
		{"JPN", "日本"}, {"KOR", "韩国"}, {"PRK", "朝鲜"}, {"MNG", "蒙古国"},
		{"SGP", "新加坡"}, {"MYS", "马来西亚"}, {"THA", "泰国"}, {"VNM", "越南"}, {"PHL", "菲律宾"},
		{"IDN", "印度尼西亚"}, {"MMR", "缅甸"}, {"LAO", "老挝"}, {"KHM", "柬埔寨"}, {"BRN", "文莱"},
		{"IND", "印度"}, {"PAK", "巴基斯坦"}, {"BGD", "孟加拉国"}, {"NPL", "尼泊尔"}, {"LKA", "斯里兰卡"},
		{"KAZ", "哈萨克斯坦"}, {"UZB", "乌兹别克斯坦"}, {"KGZ", "吉尔吉斯斯坦"}, {"TJK", "塔吉克斯坦"},
		{"AFG", "阿富汗"}, {"IRN", "伊朗"}, {"IRQ", "伊拉克"}, {"SAU", "沙特阿拉伯"},
		{"ARE", "阿拉伯联合酋长国"}, {"EGY", "埃及"}, {"ZAF", "南非"}, {"NGA", "尼日利亚"},
		{"KEN", "肯尼亚"}, {"ETH", "埃塞俄比亚"}, {"TZA", "坦桑尼亚"}, {"GHA", "加纳"},
		{"AUS", "澳大利亚"}, {"NZL", "新西兰"},
	}
}

// NationalityName turns an ISO 3166-1 alpha-3 code into the country's
// Chinese short name for the common ones (USA → 美国); other codes come back
// unchanged.
func NationalityName(code string) string {
	for _, c := range countries() {
		if c[0] == code {
			return c[1]
		}
	}
	return code
}

// NationalityCode is NationalityName's inverse; a value that is not a known
// name comes back unchanged.
func NationalityCode(name string) string {
	for _, c := range countries() {
		if c[1] == name {
			return c[0]
		}
	}
	return name
}
