package corpus

import (
	"embed"
	"fmt"

	"maxmargin/dataset"
)

//go:embed data/*.csv
var files embed.FS

// Entry is one data set of the corpus.
type Entry struct {
	// Name identifies the entry in test names and tables, e.g.
	// "breast-cancer" or "breast-cancer-std".
	Name string
	// Data is the data set.
	Data *dataset.Dataset
	// Long marks entries whose solves take long (tens of seconds for some
	// norm): the tests run them only when asked to.
	Long bool
}

// realSets are the files of data/ with whether their solves are long.
var realSets = []struct {
	name string
	long bool
}{
	{"breast-cancer", false}, // 569 x 30, k = 2; raw columns span 1e-3..4e3
	{"wine", false},          // 178 x 13, k = 3
	{"iris", false},          // 150 x 4, k = 3; not separable
	{"digits", true},         // 1797 x 64, k = 10
}

// Real returns the real data sets, each raw and standardized (name suffix
// "-std"), in a fixed order.
func Real() ([]Entry, error) {
	var out []Entry
	for _, s := range realSets {
		ds, err := Load(s.name)
		if err != nil {
			return nil, err
		}
		out = append(out,
			Entry{Name: s.name, Data: ds, Long: s.long},
			Entry{Name: s.name + "-std", Data: ds.Standardized(), Long: s.long})
	}
	return out, nil
}

// Load reads the data set data/NAME.csv.
func Load(name string) (*dataset.Dataset, error) {
	f, err := files.Open("data/" + name + ".csv")
	if err != nil {
		return nil, fmt.Errorf("corpus: no data set %q: %w", name, err)
	}
	defer f.Close()
	return dataset.ReadCSV(f, name+".csv")
}
