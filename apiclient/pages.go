package apiclient

import (
	"iter"
	"net/url"
	"strconv"
)

// pages streams the items of an offset-paged list route, one page in memory at a time.
// fetch asks for limit items from offset and returns them with the total count of matches.
// limit caps the number of items yielded (0 = no cap). Paging ends on an empty page or when
// offset reaches total — never on a short page, so a server that caps its page size below
// pageSize cannot truncate the stream silently.
func pages[T any](offset, limit, pageSize int, fetch func(offset, limit int) ([]T, int, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if pageSize <= 0 {
			pageSize = 500
		}
		seen := 0
		for {
			n := pageSize
			if limit > 0 && limit-seen < n {
				n = limit - seen
			}
			items, total, err := fetch(offset, n)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range items {
				if !yield(&items[i], nil) {
					return
				}
				seen++
				if limit > 0 && seen >= limit {
					return
				}
			}
			offset += len(items)
			if len(items) == 0 || offset >= total {
				return
			}
		}
	}
}

// setPage adds limit and offset to a list query, leaving out zero values (both servers treat
// an absent limit as "no limit" and an absent offset as 0).
func setPage(q url.Values, limit, offset int) {
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
}
