package plus

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// FailKey is the extraConfig key that makes a VM's guest customization fail:
// its value is the failure's reason. With it set when the VM powers on with a
// customization pending, the VM posts CustomizationStartedEvent and then a
// failure event (CustomizationLinuxIdentityFailed for Linux preparation,
// CustomizationSysprepFailed for sysprep, CustomizationFailed otherwise)
// with that reason, never CustomizationSucceeded, and the guest's identity
// (host name, addresses) stays as it was.
const FailKey = "vcsim.customization.fail"

// customizations holds the customization each VM will run at its next
// power-on, as vCenter holds it between CustomizeVM_Task (or a clone with
// spec.customization) and the guest's first boot. vcsim keeps its own in an
// unexported field it fills only from CustomizeVM_Task; this replaces it, so
// clones and failures go through one path.
type customizations struct {
	mu      sync.Mutex
	pending map[types.ManagedObjectReference]*types.CustomizationSpec
	// names numbers generated host names, as vCenter does for a prefix.
	names atomic.Uint64
}

func newCustomizations() *customizations {
	return &customizations{pending: make(map[types.ManagedObjectReference]*types.CustomizationSpec)}
}

// Reference names this registry handler; it is no managed object.
func (c *customizations) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPlusCustomizations", Value: "vcsim-plus-customizations"}
}

// schedule makes spec run at vm's next power-on and marks it pending, as
// config.tools.pendingCustomization shows on vCenter.
func (c *customizations) schedule(ctx *simulator.Context, vm *simulator.VirtualMachine, spec *types.CustomizationSpec) {
	c.mu.Lock()
	c.pending[vm.Self] = spec
	c.mu.Unlock()
	setPending(ctx, vm, newPendingID())
}

func (c *customizations) isPending(ref types.ManagedObjectReference) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[ref]
	return ok
}

func (c *customizations) take(ref types.ManagedObjectReference) *types.CustomizationSpec {
	c.mu.Lock()
	defer c.mu.Unlock()
	spec := c.pending[ref]
	delete(c.pending, ref)
	return spec
}

func (c *customizations) PutObject(mo.Reference) {}

func (c *customizations) RemoveObject(_ *simulator.Context, ref types.ManagedObjectReference) {
	c.mu.Lock()
	delete(c.pending, ref)
	c.mu.Unlock()
}

// UpdateObject runs a VM's pending customization when it powers on, by any
// path (PowerOnVM_Task, PowerOnMultiVM_Task, a vApp, a reset): every one ends
// in the property change to runtime.powerState that lands here, inside the
// power-on task, as vcsim's own customization runs inside it.
func (c *customizations) UpdateObject(ctx *simulator.Context, obj mo.Reference, changes []types.PropertyChange) {
	moVM, ok := obj.(*mo.VirtualMachine)
	if !ok || moVM.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		return
	}
	poweredOn := false
	for _, ch := range changes {
		if ch.Name == "runtime.powerState" {
			poweredOn = true
		}
	}
	if !poweredOn {
		return
	}
	vm, ok := ctx.Map.Get(moVM.Self).(*simulator.VirtualMachine)
	if !ok {
		return
	}
	spec := c.take(vm.Self)
	if spec == nil {
		return
	}
	c.run(ctx, vm, spec)
}

// run is the guest's side of a customization: it posts the events vCenter
// posts and, on success, gives the guest the identity the spec names.
func (c *customizations) run(ctx *simulator.Context, vm *simulator.VirtualMachine, spec *types.CustomizationSpec) {
	base := types.CustomizationEvent{VmEvent: vmEvent(ctx, vm)}
	postEvents(ctx, &types.CustomizationStartedEvent{CustomizationEvent: base})

	if reason, fail := failReason(vm); fail {
		setPending(ctx, vm, "")
		postEvents(ctx, failureEvent(spec, base, reason))
		return
	}

	hostname := c.hostName(vm, spec)
	nics := guestNet(vm)
	address := ""
	for i, setting := range spec.NicSettingMap {
		nic := nicFor(nics, i, setting.MacAddress)
		if nic == nil {
			continue
		}
		if nic.DnsConfig == nil {
			nic.DnsConfig = new(types.NetDnsConfigInfo)
		}
		if setting.Adapter.DnsDomain != "" {
			nic.DnsConfig.DomainName = setting.Adapter.DnsDomain
		}
		if len(setting.Adapter.DnsServerList) != 0 {
			nic.DnsConfig.IpAddress = setting.Adapter.DnsServerList
		} else if len(spec.GlobalIPSettings.DnsServerList) != 0 {
			nic.DnsConfig.IpAddress = spec.GlobalIPSettings.DnsServerList
		}
		if hostname != "" {
			nic.DnsConfig.HostName = hostname
		}
		if len(spec.GlobalIPSettings.DnsSuffixList) != 0 {
			nic.DnsConfig.SearchDomain = spec.GlobalIPSettings.DnsSuffixList
		}
		ips := fixedAddresses(setting.Adapter)
		if len(ips) == 0 {
			// DHCP (or an address the guest picks): vcsim has no DHCP
			// server, so the guest keeps what it reported.
			continue
		}
		if address == "" {
			address = ips[0].IpAddress
		}
		nic.IpAddress = nil
		for _, ip := range ips {
			nic.IpAddress = append(nic.IpAddress, ip.IpAddress)
		}
		nic.IpConfig = &types.NetIpConfigInfo{IpAddress: ips}
	}

	changes := []types.PropertyChange{
		{Name: "config.tools.pendingCustomization", Val: ""},
	}
	if len(spec.NicSettingMap) != 0 {
		changes = append(changes, types.PropertyChange{Name: "guest.net", Val: nics})
	}
	if hostname != "" {
		changes = append(changes,
			types.PropertyChange{Name: "guest.hostName", Val: hostname},
			types.PropertyChange{Name: "summary.guest.hostName", Val: hostname})
	}
	if address != "" {
		changes = append(changes,
			types.PropertyChange{Name: "guest.ipAddress", Val: address},
			types.PropertyChange{Name: "summary.guest.ipAddress", Val: address})
	}
	ensureTools(ctx, vm)
	ctx.Update(vm, changes)
	postEvents(ctx, &types.CustomizationSucceeded{CustomizationEvent: base})
}

// failReason reads FailKey from the VM's extraConfig.
func failReason(vm *simulator.VirtualMachine) (string, bool) {
	s := extraConfigValue(vm, FailKey)
	return s, s != ""
}

// failureEvent is the event vCenter posts for a failed customization of
// spec's kind.
func failureEvent(spec *types.CustomizationSpec, base types.CustomizationEvent, reason string) types.BaseEvent {
	failed := types.CustomizationFailed{CustomizationEvent: base, Reason: reason}
	failed.FullFormattedMessage = "An error occurred while customizing VM " + base.Vm.Name + ": " + reason
	switch spec.Identity.(type) {
	case *types.CustomizationLinuxPrep:
		return &types.CustomizationLinuxIdentityFailed{CustomizationFailed: failed}
	case *types.CustomizationSysprep, *types.CustomizationSysprepText:
		return &types.CustomizationSysprepFailed{CustomizationFailed: failed}
	default:
		return &failed
	}
}

// hostName is the guest name the spec's identity asks for. A prefix gets a
// number, unique in this simulator, as vCenter appends one; the VM's name is
// used as is.
func (c *customizations) hostName(vm *simulator.VirtualMachine, spec *types.CustomizationSpec) string {
	var name types.BaseCustomizationName
	switch id := spec.Identity.(type) {
	case *types.CustomizationLinuxPrep:
		name = id.HostName
	case *types.CustomizationSysprep:
		name = id.UserData.ComputerName
	case *types.CustomizationCloudinitPrep:
		return ""
	}
	switch n := name.(type) {
	case *types.CustomizationFixedName:
		return n.Name
	case *types.CustomizationVirtualMachineName:
		return vm.Name
	case *types.CustomizationPrefixName:
		return fmt.Sprintf("%s-%d", n.Base, c.names.Add(1))
	case *types.CustomizationCustomName:
		// vCenter asks a registered generator; there is none here.
		return fmt.Sprintf("%s-%d", n.Argument, c.names.Add(1))
	default:
		return ""
	}
}

// fixedAddresses lists the static IPv4 then IPv6 addresses a NIC setting
// gives, as the guest then reports them.
func fixedAddresses(a types.CustomizationIPSettings) []types.NetIpConfigInfoIpAddress {
	var out []types.NetIpConfigInfoIpAddress
	if ip, ok := a.Ip.(*types.CustomizationFixedIp); ok && ip.IpAddress != "" {
		out = append(out, types.NetIpConfigInfoIpAddress{IpAddress: ip.IpAddress, PrefixLength: maskBits(a.SubnetMask)})
	}
	if a.IpV6Spec != nil {
		for _, g := range a.IpV6Spec.Ip {
			if ip, ok := g.(*types.CustomizationFixedIpV6); ok && ip.IpAddress != "" {
				out = append(out, types.NetIpConfigInfoIpAddress{IpAddress: ip.IpAddress, PrefixLength: ip.SubnetMask})
			}
		}
	}
	return out
}

// maskBits turns a dotted IPv4 mask into a prefix length (0 if it is none).
func maskBits(mask string) int32 {
	ip := net.ParseIP(mask).To4()
	if ip == nil {
		return 0
	}
	ones, bits := net.IPMask(ip).Size()
	if bits == 0 {
		return 0
	}
	return int32(ones)
}

// guestNet copies the VM's guest.net, to change and publish as a whole.
func guestNet(vm *simulator.VirtualMachine) []types.GuestNicInfo {
	out := make([]types.GuestNicInfo, len(vm.Guest.Net))
	copy(out, vm.Guest.Net)
	return out
}

// nicFor finds the guest NIC a setting applies to: by MAC address when the
// setting names one (the reference: the MAC address identifies the adapter),
// else by position.
func nicFor(nics []types.GuestNicInfo, i int, mac string) *types.GuestNicInfo {
	if mac != "" {
		for j := range nics {
			if strings.EqualFold(nics[j].MacAddress, mac) {
				return &nics[j]
			}
		}
		return nil
	}
	if i < len(nics) {
		return &nics[i]
	}
	return nil
}

// ethernetCards counts the VM's virtual NICs, which a spec's NIC settings
// must match one to one.
func ethernetCards(vm *simulator.VirtualMachine) int {
	if vm.Config == nil {
		return 0
	}
	return len(object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualEthernetCard)(nil)))
}

// setPending sets config.tools.pendingCustomization ("" when none).
func setPending(ctx *simulator.Context, vm *simulator.VirtualMachine, id string) {
	ensureTools(ctx, vm)
	ctx.Update(vm, []types.PropertyChange{{Name: "config.tools.pendingCustomization", Val: id}})
}

func ensureTools(ctx *simulator.Context, vm *simulator.VirtualMachine) {
	if vm.Config != nil && vm.Config.Tools == nil {
		ctx.Update(vm, []types.PropertyChange{{Name: "config.tools", Val: &types.ToolsConfigInfo{}}})
	}
}
