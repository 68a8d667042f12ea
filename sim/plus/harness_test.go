package plus

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// start runs a vcsim-plus (default VPX inventory, `model` adjusts it) over
// real HTTPS SOAP, as the command does, and logs a client in.
func start(t *testing.T, model func(*simulator.Model)) (context.Context, *govmomi.Client) {
	t.Helper()
	m := simulator.VPX()
	if model != nil {
		model(m)
	}
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	if err := Install(simulator.Map); err != nil {
		t.Fatal(err)
	}
	m.Service.TLS = new(tls.Config)
	s := m.Service.NewServer()
	t.Cleanup(func() {
		s.Close()
		m.Remove()
	})
	return connect(t, s)
}

// connect logs a client in to s over its HTTPS SOAP endpoint.
func connect(t *testing.T, s *simulator.Server) (context.Context, *govmomi.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	c, err := govmomi.NewClient(ctx, s.URL, true)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

// vmByName finds a VM of the default inventory, e.g. "DC0_H0_VM0".
func vmByName(t *testing.T, ctx context.Context, c *govmomi.Client, name string) *object.VirtualMachine {
	t.Helper()
	f := find.NewFinder(c.Client, true)
	dc, err := f.DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.SetDatacenter(dc)
	vm, err := f.VirtualMachine(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

// wantFault fails unless err carries a fault of target's type.
func wantFault(t *testing.T, what string, err error, target types.BaseMethodFault) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want fault %T", what, target)
	}
	if !fault.Is(err, target) {
		t.Fatalf("%s: got %v, want fault %T", what, err, target)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
