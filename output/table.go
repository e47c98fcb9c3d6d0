package output

// This is the only file that imports tablewriter.

import (
	"bytes"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

const (
	columnGap      = "  "
	minColumnWidth = 5
	ellipsis       = "…"
)

// renderTable writes a borderless table for a terminal: an upper-case header
// row, columns separated by two spaces, cells truncated with "…" so that a
// row fits in width (the widest columns give way first), no trailing spaces.
func renderTable(w io.Writer, headers []string, rows [][]string, width int) error {
	n := len(headers)
	hdr := make([]string, n)
	for i, h := range headers {
		hdr[i] = sanitize(strings.ToUpper(h))
	}
	widths := fitWidths(hdr, rows, width)

	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Lines: tw.LinesNone, Separators: tw.SeparatorsNone},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: tw.Empty, Right: columnGap, Overwrite: true}),
	)
	t.Header(truncateRow(hdr, widths))
	for _, r := range rows {
		if err := t.Append(truncateRow(r, widths)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}

// fitWidths returns the display width of each column, shrinking the widest
// columns until the table fits in width (but no column below
// minColumnWidth, or its natural width if that is smaller).
func fitWidths(headers []string, rows [][]string, width int) []int {
	n := len(headers)
	widths := make([]int, n)
	for i, h := range headers {
		widths[i] = twwidth.Width(h)
	}
	for _, r := range rows {
		for i := 0; i < n && i < len(r); i++ {
			widths[i] = max(widths[i], twwidth.Width(r[i]))
		}
	}
	avail := width - len(columnGap)*(n-1)
	total := 0
	for _, w := range widths {
		total += w
	}
	for total > avail {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= minColumnWidth {
			break
		}
		widths[widest]--
		total--
	}
	return widths
}

func truncateRow(r []string, widths []int) []string {
	out := make([]string, len(widths))
	for i := range widths {
		if i >= len(r) {
			continue
		}
		c := r[i]
		if twwidth.Width(c) > widths[i] {
			c = twwidth.Truncate(c, widths[i]-twwidth.Width(ellipsis)) + ellipsis
		}
		out[i] = c
	}
	return out
}
