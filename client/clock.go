package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// ServerTime reads the server's clock from the Date header of a request
// that needs no token (GET <base>/_admin/ops/ping, protocol §9); any
// answer carries the header. Token expiry is decided by the server's
// clock, so a skewed local clock makes "expires in" wrong.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	var date string
	err := c.roundTrip(ctx, exchange{
		method: http.MethodGet,
		url:    c.base.String() + "/_admin/ops/ping",
		shown:  c.host + "/_admin/ops/ping",
	}, func(resp *http.Response) error {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		date = resp.Header.Get("Date")
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	if date == "" {
		return time.Time{}, errors.New("the server sent no Date header")
	}
	return http.ParseTime(date)
}
