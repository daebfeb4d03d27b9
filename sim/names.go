package sim

import "math/rand/v2"

// Synthetic names: common Chinese surnames and given-name syllables in
// pinyin. The people of a run are invented; any likeness is chance.
var surnames = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
	"Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song",
	"Tang", "Han", "Feng", "Deng", "Cao", "Peng", "Yu", "Dong", "Xiao", "Cheng", "Yuan", "Tian", "Pan", "Jiang", "Du", "Qi"}

var syllables = []string{"wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang",
	"yong", "yan", "jie", "tao", "ming", "chao", "xiu", "ying", "hua", "hui", "ping", "gang", "mei", "lan",
	"bo", "hong", "xin", "yu", "jian", "feng", "dan", "ning", "rui", "hao", "kai", "lin", "qing", "yun", "zhi", "xia"}

// syntheticName draws an invented name, such as "Zhang Xiuying".
func syntheticName(r *rand.Rand) string {
	s := surnames[r.IntN(len(surnames))]
	g := syllables[r.IntN(len(syllables))]
	if r.IntN(3) > 0 {
		g += syllables[r.IntN(len(syllables))]
	}
	return s + " " + string(g[0]-'a'+'A') + g[1:]
}
