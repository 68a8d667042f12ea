// vcsim-plus: govmomi's vCenter simulator (vcsim, v0.46.3), started the way
// the vcsim command starts it and with the same flags and startup output, plus
// the operations vcsim lacks (package plus). See README.md beside this file.
package main

import (
	"crypto/tls"
	"expvar"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	// Goroutine dumps at /debug/pprof/ (on the DefaultServeMux vcsim
	// serves), to see where a hung simulator waits.
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/google/uuid"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25/types"

	"vcsim-plus/plus"

	// The optional endpoints vcsim registers (REST, PBM, SSO, vSAN, ...), so
	// every endpoint a vcsim user reaches is here too.
	_ "github.com/vmware/govmomi/cns/simulator"
	_ "github.com/vmware/govmomi/eam/simulator"
	_ "github.com/vmware/govmomi/lookup/simulator"
	_ "github.com/vmware/govmomi/pbm/simulator"
	_ "github.com/vmware/govmomi/ssoadmin/simulator"
	_ "github.com/vmware/govmomi/sts/simulator"
	_ "github.com/vmware/govmomi/vapi/appliance/simulator"
	_ "github.com/vmware/govmomi/vapi/cis/tasks/simulator"
	_ "github.com/vmware/govmomi/vapi/cluster/simulator"
	_ "github.com/vmware/govmomi/vapi/crypto/simulator"
	_ "github.com/vmware/govmomi/vapi/esx/settings/simulator"
	_ "github.com/vmware/govmomi/vapi/namespace/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator"
	_ "github.com/vmware/govmomi/vapi/vcenter/consumptiondomains/simulator"
	_ "github.com/vmware/govmomi/vapi/vm/simulator"
	_ "github.com/vmware/govmomi/vsan/simulator"
)

// version is what `vcsim-plus version` prints.
const version = "vcsim-plus (govmomi v0.46.3 simulator)"

func main() {
	model := simulator.VPX()

	// vcsim's flags, same names, defaults and meaning.
	flag.IntVar(&model.Datacenter, "dc", model.Datacenter, "Number of datacenters")
	flag.IntVar(&model.Cluster, "cluster", model.Cluster, "Number of clusters")
	flag.IntVar(&model.ClusterHost, "host", model.ClusterHost, "Number of hosts per cluster")
	flag.IntVar(&model.Host, "standalone-host", model.Host, "Number of standalone hosts")
	flag.IntVar(&model.Datastore, "ds", model.Datastore, "Number of local datastores")
	flag.IntVar(&model.Machine, "vm", model.Machine, "Number of virtual machines per resource pool")
	flag.IntVar(&model.Pool, "pool", model.Pool, "Number of resource pools per compute resource")
	flag.IntVar(&model.App, "app", model.App, "Number of virtual apps per compute resource")
	flag.IntVar(&model.Pod, "pod", model.Pod, "Number of storage pods per datacenter")
	flag.IntVar(&model.Portgroup, "pg", model.Portgroup, "Number of port groups")
	flag.IntVar(&model.PortgroupNSX, "pg-nsx", model.PortgroupNSX, "Number of NSX backed port groups")
	flag.IntVar(&model.OpaqueNetwork, "nsx", model.OpaqueNetwork, "Number of NSX backed opaque networks")
	flag.IntVar(&model.Folder, "folder", model.Folder, "Number of folders")
	flag.BoolVar(&model.Autostart, "autostart", model.Autostart, "Autostart model created VMs")
	flag.StringVar(&model.ServiceContent.About.ApiVersion, "api-version", model.ServiceContent.About.ApiVersion, "API version")

	isESX := flag.Bool("esx", false, "Simulate standalone ESX")
	isTLS := flag.Bool("tls", true, "Enable TLS")
	cert := flag.String("tlscert", "", "Path to TLS certificate file")
	key := flag.String("tlskey", "", "Path to TLS key file")
	env := flag.String("E", "-", "Output vcsim variables to the given fifo or stdout")
	listen := flag.String("l", "127.0.0.1:8989", "Listen address for vcsim")
	user := flag.String("username", "", "Login username for vcsim (any username allowed by default)")
	pass := flag.String("password", "", "Login password for vcsim (any password allowed by default)")
	tunnel := flag.Int("tunnel", -1, "SDK tunnel port")
	flag.BoolVar(&simulator.Trace, "trace", simulator.Trace, "Trace SOAP to -trace-file")
	trace := flag.String("trace-file", "", "Trace output file (defaults to stderr)")
	stdinExit := flag.Bool("stdinexit", false, "Press any key to exit")
	dir := flag.String("load", "", "Load model from directory")
	flag.IntVar(&model.DelayConfig.Delay, "delay", model.DelayConfig.Delay, "Method response delay across all methods")
	methodDelay := flag.String("method-delay", "", "Delay per method on the form 'method1:delay1,method2:delay2...'")
	flag.Float64Var(&model.DelayConfig.DelayJitter, "delay-jitter", model.DelayConfig.DelayJitter, "Delay jitter coefficient of variation (tip: 0.5 is a good starting value)")
	without := flag.String("without", "", "vcsim-plus methods to leave to vcsim, comma-separated (e.g. UpdateVAppConfig,PowerOnVApp_Task): they answer as vcsim does")
	flag.Parse()

	switch flag.Arg(0) {
	case "uuidgen":
		fmt.Println(uuid.New().String())
		return
	case "version":
		fmt.Println(version)
		return
	}

	if *trace != "" {
		f, err := os.Create(*trace)
		if err != nil {
			log.Fatal(err)
		}
		simulator.TraceFile = f
		simulator.Trace = true
		defer f.Close()
	}

	u := &url.URL{Host: *listen}
	if *user != "" {
		u.User = url.UserPassword(secret(*user), secret(*pass))
	}

	if *methodDelay != "" {
		delays, err := parseMethodDelay(*methodDelay)
		if err != nil {
			log.Fatal(err)
		}
		model.DelayConfig.MethodDelay = delays
		simulator.TaskDelay.MethodDelay = delays
	}

	if err := pointHostsAt(u.Host); err != nil {
		log.Fatal(err)
	}

	if *isESX {
		vpx := model
		model = simulator.ESX()
		// The options that mean something for a standalone ESX too.
		model.Datastore = vpx.Datastore
		model.Machine = vpx.Machine
		model.Autostart = vpx.Autostart
		model.DelayConfig = vpx.DelayConfig
	}

	const tag = " (govmomi simulator)"
	model.ServiceContent.About.FullName += tag
	model.ServiceContent.About.OsType = runtime.GOOS + "-" + runtime.GOARCH
	esx.HostSystem.Summary.Hardware.Vendor += tag

	var err error
	if *dir == "" {
		err = model.Create()
	} else {
		err = model.Load(*dir)
	}
	if err != nil {
		log.Fatal(err)
	}

	// The additions go in once the inventory exists and before the server
	// answers anyone.
	var leaveOut []string
	if *without != "" {
		leaveOut = strings.Split(*without, ",")
	}
	if err := plus.Install(simulator.Map, leaveOut...); err != nil {
		log.Fatal(err)
	}

	model.Service.RegisterEndpoints = true
	model.Service.Listen = u
	if *isTLS {
		model.Service.TLS = new(tls.Config)
		if *cert != "" {
			c, err := tls.LoadX509KeyPair(*cert, *key)
			if err != nil {
				log.Fatal(err)
			}
			model.Service.TLS.Certificates = []tls.Certificate{c}
		}
	}

	expvar.Publish("vcsim", expvar.Func(func() interface{} {
		count := model.Count()
		return struct {
			Registry *simulator.Registry `json:"registry"`
			Model    *simulator.Model    `json:"model"`
		}{simulator.Map, &count}
	}))
	// expvar registers /debug/vars on the DefaultServeMux.
	model.Service.ServeMux = http.DefaultServeMux

	s := model.Service.NewServer()
	if *tunnel >= 0 {
		s.Tunnel = *tunnel
		if err := s.StartTunnel(); err != nil {
			log.Fatal(err)
		}
	}

	// The line the acceptance harness (and govc users) read: same as vcsim's.
	if err := announce(*env, fmt.Sprintf("export GOVC_URL=%s GOVC_SIM_PID=%d\n", s.URL, os.Getpid())); err != nil {
		log.Fatal(err)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	if *stdinExit {
		fmt.Println("Press any key to exit")
		go func() {
			_, _ = os.Stdin.Read(make([]byte, 1))
			sig <- syscall.SIGTERM
		}()
	}
	<-sig
	model.Remove()
}

// announce writes the startup line to stdout ("-") or to the named fifo.
func announce(target, line string) error {
	if target == "-" {
		_, err := fmt.Fprint(os.Stdout, line)
		return err
	}
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprint(f, line); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// parseMethodDelay reads "Method1:ms1,Method2:ms2".
func parseMethodDelay(s string) (map[string]int, error) {
	m := make(map[string]int)
	for _, part := range strings.Split(s, ",") {
		name, ms, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || strings.Contains(ms, ":") {
			return nil, fmt.Errorf("incorrect method delay format %q: want method:milliseconds", part)
		}
		n, err := strconv.Atoi(ms)
		if err != nil {
			return nil, fmt.Errorf("incorrect format of method-delay argument: %s", err)
		}
		m[name] = n
	}
	return m, nil
}

// pointHostsAt makes the simulated hosts report the listen address as their
// management address (and port, unless it is chosen at startup), as vcsim does.
func pointHostsAt(listen string) error {
	addr, port, err := net.SplitHostPort(listen)
	if err != nil {
		return err
	}
	esx.HostSystem.Summary.ManagementServerIp = addr
	if port != "0" {
		n, err := strconv.Atoi(port)
		if err != nil {
			return err
		}
		esx.HostSystem.Summary.Config.Port = int32(n)
	}
	nics := [][]types.HostVirtualNic{
		esx.HostConfigInfo.Network.Vnic,
		esx.HostConfigInfo.Vmotion.NetConfig.CandidateVnic,
	}
	for _, nc := range esx.HostConfigInfo.VirtualNicManagerInfo.NetConfig {
		nics = append(nics, nc.CandidateVnic)
	}
	for _, list := range nics {
		for i := range list {
			list[i].Spec.Ip.IpAddress = addr
		}
	}
	return nil
}

// secret resolves a -username/-password value the way govc does (a value
// naming a file or env var is read from it).
func secret(s string) string {
	v, err := session.Secret(s)
	if err != nil {
		log.Fatal(err)
	}
	return v
}
