package redis

import (
	"context"

	"github.com/llmux/llmux/internal/redisx"
)

// wrap turns err from operation op into the error a Cache returns:
// "redis: <op>: <cause>", with the password masked, wrapping ctx.Err()
// when ctx is done ([redisx.Wrap]).
func (c *Cache) wrap(ctx context.Context, op string, err error) error {
	return redisx.Wrap(ctx, op, err, c.mask)
}
