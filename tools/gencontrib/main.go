// Command gencontrib writes the files of contrib/icinga2 that come from the
// plugins' flags (make contrib): see package contrib.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vzmon/vzmon/internal/contrib"
)

func main() {
	files, err := contrib.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencontrib:", err)
		os.Exit(1)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		tmp := p + ".new"
		if err := os.WriteFile(tmp, files[p], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gencontrib:", err)
			os.Exit(1)
		}
		if err := os.Rename(tmp, p); err != nil {
			fmt.Fprintln(os.Stderr, "gencontrib:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", filepath.ToSlash(p))
	}
}
