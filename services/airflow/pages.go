package airflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// PageSize is how many items one list request asks for: Airflow's default
// [api] maximum_page_limit, above which it silently caps the page.
const PageSize = 100

// listPages fetches a collection page by page with limit/offset. key names
// the array in the answer ("dags", "dag_runs", ...). max > 0 stops after that
// many items; max <= 0 fetches all of them.
//
// It stops when total_entries is reached, so N items cost ceil(N/PageSize)
// requests. A server configured with a smaller page limit answers shorter
// pages; the offset follows what actually came back, so that still works.
func listPages[T any](ctx context.Context, c *Client, path, key string, query url.Values, max int) ([]T, error) {
	r := request{method: http.MethodGet, path: path}
	all := []T{}
	for offset := 0; ; {
		limit := PageSize
		if max > 0 && max-len(all) < limit {
			limit = max - len(all)
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(offset))

		var raw map[string]json.RawMessage
		if err := c.getJSON(ctx, path, q, &raw); err != nil {
			return nil, err
		}
		itemsJSON, ok := raw[key]
		if !ok {
			return nil, fmt.Errorf("%w: %s %s: no %q in the answer", ErrBadResponse, r.method, path, key)
		}
		var items []T
		if err := decode(r, itemsJSON, &items); err != nil {
			return nil, err
		}
		var total *int
		if t, ok := raw["total_entries"]; ok {
			if err := decode(r, t, &total); err != nil {
				return nil, err
			}
		}

		all = append(all, items...)
		offset += len(items)
		switch {
		case len(items) == 0,
			max > 0 && len(all) >= max,
			total != nil && offset >= *total,
			// Without a total, a short page is the last one.
			total == nil && len(items) < limit:
			return all, nil
		}
	}
}
