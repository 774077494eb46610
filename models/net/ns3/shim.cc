/*
 * shim.cc: packet-level reference runs over ns-3.37 for the flow models.
 *
 * Two scenarios: an LTE cell with EPC and N UEs under TR 38.901 UMi
 * street-canyon propagation (Debian's ns-3 has no 5G NR module, so LTE is
 * the packet-level reference), and an ad hoc 802.11a network with OLSR or
 * AODV. Each run happens in a forked child that writes its results to a
 * pipe and leaves with _exit: ns-3 aborts the process on some internal
 * errors (and keeps global state between runs), and the host must survive
 * and report it. Randomness: RngSeedManager::SetSeed from the given seed.
 *
 * This file does not model anything itself: it builds ns-3 scenarios from
 * plain C structs and reads FlowMonitor.
 */
#include "dn_ns3.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "ns3/aodv-module.h"
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/flow-monitor-module.h"
#include "ns3/internet-module.h"
#include "ns3/lte-module.h"
#include "ns3/mobility-module.h"
#include "ns3/network-module.h"
#include "ns3/olsr-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/propagation-module.h"
#include "ns3/wifi-module.h"

using namespace ns3;

namespace {

/* LOS fixed per UE node, so the flow model and ns-3 see the same channel. */
class DnLosTable : public ChannelConditionModel
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid = TypeId("dnetsim::DnLosTable")
                                .SetParent<ChannelConditionModel>()
                                .SetGroupName("Propagation")
                                .AddConstructor<DnLosTable>();
        return tid;
    }
    std::map<uint32_t, bool> los;
    Ptr<ChannelCondition> GetChannelCondition(Ptr<const MobilityModel> a,
                                              Ptr<const MobilityModel> b) const override
    {
        bool l = true;
        for (Ptr<const MobilityModel> m : {a, b})
        {
            Ptr<Node> n = m->GetObject<Node>();
            if (!n)
                continue;
            auto it = los.find(n->GetId());
            if (it != los.end())
                l = it->second;
        }
        return CreateObject<ChannelCondition>(l ? ChannelCondition::LOS : ChannelCondition::NLOS);
    }
    int64_t AssignStreams(int64_t) override
    {
        return 0;
    }
};

void collect(Ptr<FlowMonitor> mon, FlowMonitorHelper &fh, const std::map<std::pair<uint32_t, uint16_t>, uint32_t> &key,
             double window_s, dn_ns3_flow *out, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        out[i] = dn_ns3_flow{0, 0, 1, 0, 0};
    mon->CheckForLostPackets();
    Ptr<Ipv4FlowClassifier> cls = DynamicCast<Ipv4FlowClassifier>(fh.GetClassifier());
    for (const auto &kv : mon->GetFlowStats())
    {
        Ipv4FlowClassifier::FiveTuple t = cls->FindFlow(kv.first);
        auto it = key.find({t.destinationAddress.Get(), t.destinationPort});
        if (it == key.end() || t.protocol != 17)
            continue;
        const FlowMonitor::FlowStats &s = kv.second;
        dn_ns3_flow &o = out[it->second];
        o.rx_packets = s.rxPackets;
        /* payload bits: FlowMonitor counts IP bytes (payload + 28) */
        o.rx_bps = s.rxPackets ? (double)(s.rxBytes - 28.0 * s.rxPackets) * 8.0 / window_s : 0;
        o.delay_s = s.rxPackets ? s.delaySum.GetSeconds() / (double)s.rxPackets : 0;
        o.loss = s.txPackets ? (double)s.lostPackets / (double)s.txPackets : 1;
        o.hops = s.rxPackets ? 1.0 + (double)s.timesForwarded / (double)s.rxPackets : 0;
    }
}

/* Kept whole: one ns-3 script; seeds and Config defaults precede object creation, whose order fixes node ids and streams. */
int run_cell(const dn_ns3_cell_cfg *c, dn_ns3_flow *out, dn_ns3_info *info)
{
    RngSeedManager::SetSeed(c->seed ? (uint32_t)(c->seed ^ (c->seed >> 32)) | 1u : 1u);
    RngSeedManager::SetRun(1 + (c->seed >> 32));
    const uint32_t n = c->n_ues;
    Config::SetDefault("ns3::LteEnbRrc::SrsPeriodicity", UintegerValue(n > 38 ? 160 : (n > 18 ? 80 : 40)));
    Config::SetDefault("ns3::LteEnbPhy::TxPower", DoubleValue(c->tx_power_dbm));
    /* the 10 KiB default RLC buffer underruns a 20 MHz bearer within a TTI */
    Config::SetDefault("ns3::LteRlcUm::MaxTxBufferSize", UintegerValue(c->rlc_buffer_bytes ? c->rlc_buffer_bytes : 10240));
    Config::SetDefault("ns3::LteUePhy::NoiseFigure", DoubleValue(c->noise_figure_db));
    Config::SetDefault("ns3::LteEnbNetDevice::DlBandwidth", UintegerValue(c->rbs));
    Config::SetDefault("ns3::LteEnbNetDevice::UlBandwidth", UintegerValue(c->rbs));
    const uint32_t earfcn = c->dl_earfcn ? c->dl_earfcn : 100;
    Config::SetDefault("ns3::LteEnbNetDevice::DlEarfcn", UintegerValue(earfcn));
    Config::SetDefault("ns3::LteEnbNetDevice::UlEarfcn", UintegerValue(earfcn + 18000));
    Config::SetDefault("ns3::LteUeNetDevice::DlEarfcn", UintegerValue(earfcn));

    Ptr<LteHelper> lte = CreateObject<LteHelper>();
    Ptr<PointToPointEpcHelper> epc = CreateObject<PointToPointEpcHelper>();
    lte->SetEpcHelper(epc);
    lte->SetSchedulerType(c->scheduler ? "ns3::PfFfMacScheduler" : "ns3::RrFfMacScheduler");
    lte->SetAttribute("PathlossModel", StringValue("ns3::ThreeGppUmiStreetCanyonPropagationLossModel"));
    lte->SetPathlossModelAttribute("ShadowingEnabled", BooleanValue(c->shadowing != 0));

    NodeContainer enb, ues;
    enb.Create(1);
    ues.Create(n);
    if (c->los)
    {
        Ptr<DnLosTable> tab = CreateObject<DnLosTable>();
        for (uint32_t i = 0; i < n; i++)
            tab->los[ues.Get(i)->GetId()] = c->los[i] != 0;
        lte->SetPathlossModelAttribute("ChannelConditionModel", PointerValue(tab));
    }

    Ptr<Node> pgw = epc->GetPgwNode();
    NodeContainer remote;
    remote.Create(1);
    InternetStackHelper internet;
    internet.Install(remote);
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate("100Gb/s")));
    p2p.SetDeviceAttribute("Mtu", UintegerValue(1500));
    p2p.SetChannelAttribute("Delay", TimeValue(MilliSeconds(1)));
    NetDeviceContainer inet = p2p.Install(pgw, remote.Get(0));
    Ipv4AddressHelper ip;
    ip.SetBase("1.0.0.0", "255.0.0.0");
    ip.Assign(inet);
    Ipv4StaticRoutingHelper srh;
    srh.GetStaticRouting(remote.Get(0)->GetObject<Ipv4>())
        ->AddNetworkRouteTo(Ipv4Address("7.0.0.0"), Ipv4Mask("255.0.0.0"), 1);

    MobilityHelper mob;
    Ptr<ListPositionAllocator> pos = CreateObject<ListPositionAllocator>();
    pos->Add(Vector(0, 0, c->h_bs_m));
    mob.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mob.SetPositionAllocator(pos);
    mob.Install(enb);
    Ptr<ListPositionAllocator> upos = CreateObject<ListPositionAllocator>();
    for (uint32_t i = 0; i < n; i++)
        upos->Add(Vector(c->x_m[i], c->y_m[i], c->h_ut_m));
    mob.SetPositionAllocator(upos);
    mob.Install(ues);

    NetDeviceContainer enbDev = lte->InstallEnbDevice(enb);
    NetDeviceContainer ueDev = lte->InstallUeDevice(ues);
    internet.Install(ues);
    Ipv4InterfaceContainer ueIf = epc->AssignUeIpv4Address(ueDev);
    for (uint32_t i = 0; i < n; i++)
        srh.GetStaticRouting(ues.Get(i)->GetObject<Ipv4>())->SetDefaultRoute(epc->GetUeDefaultGatewayAddress(), 1);
    lte->Attach(ueDev, enbDev.Get(0));

    const double start = 0.3, stop = start + c->warmup_s + c->measure_s;
    std::map<std::pair<uint32_t, uint16_t>, uint32_t> key;
    const double interval = c->pkt_bytes * 8.0 / c->offered_bps;
    for (uint32_t i = 0; i < n; i++)
    {
        const uint16_t port = (uint16_t)(1000 + i);
        UdpServerHelper srv(port);
        ApplicationContainer a = srv.Install(ues.Get(i));
        a.Start(Seconds(0.1));
        UdpClientHelper cli(ueIf.GetAddress(i), port);
        cli.SetAttribute("Interval", TimeValue(Seconds(interval)));
        cli.SetAttribute("MaxPackets", UintegerValue(4000000000u)); /* 0 sends nothing in 3.37 */
        cli.SetAttribute("PacketSize", UintegerValue(c->pkt_bytes));
        ApplicationContainer b = cli.Install(remote.Get(0));
        b.Start(Seconds(start + 0.001 * i));
        b.Stop(Seconds(stop));
        key[{ueIf.GetAddress(i).Get(), port}] = i;
    }
    FlowMonitorHelper fh;
    fh.SetMonitorAttribute("StartTime", TimeValue(Seconds(start + c->warmup_s)));
    NodeContainer mon_nodes;
    mon_nodes.Add(remote);
    mon_nodes.Add(ues);
    Ptr<FlowMonitor> mon = fh.Install(mon_nodes);
    Simulator::Stop(Seconds(stop));
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    collect(mon, fh, key, c->measure_s, out, n);
    info->wall_s = std::chrono::duration<double>(t1 - t0).count();
    info->sim_s = stop;
    info->events = Simulator::GetEventCount();
    Simulator::Destroy();
    return 0;
}

int run_mesh(const dn_ns3_mesh_cfg *c, dn_ns3_flow *out, dn_ns3_info *info)
{
    RngSeedManager::SetSeed(c->seed ? (uint32_t)(c->seed ^ (c->seed >> 32)) | 1u : 1u);
    RngSeedManager::SetRun(1 + (c->seed >> 32));
    NodeContainer nodes;
    nodes.Create(c->n_nodes);
    WifiHelper wifi;
    wifi.SetStandard(WIFI_STANDARD_80211a);
    wifi.SetRemoteStationManager("ns3::IdealWifiManager");
    YansWifiChannelHelper ch = YansWifiChannelHelper::Default();
    YansWifiPhyHelper phy;
    phy.SetChannel(ch.Create());
    WifiMacHelper mac;
    mac.SetType("ns3::AdhocWifiMac");
    NetDeviceContainer dev = wifi.Install(phy, mac, nodes);
    wifi.AssignStreams(dev, 100);

    MobilityHelper mob;
    Ptr<ListPositionAllocator> pos = CreateObject<ListPositionAllocator>();
    for (uint32_t i = 0; i < c->n_nodes; i++)
        pos->Add(Vector(c->x_m[i], c->y_m[i], 0));
    mob.SetPositionAllocator(pos);
    mob.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mob.Install(nodes);

    InternetStackHelper internet;
    Ipv4ListRoutingHelper list;
    OlsrHelper olsr;
    AodvHelper aodv;
    if (c->routing == 0)
        list.Add(olsr, 10);
    else
        list.Add(aodv, 10);
    internet.SetRoutingHelper(list);
    internet.Install(nodes);
    Ipv4AddressHelper ip;
    ip.SetBase("10.1.0.0", "255.255.0.0");
    Ipv4InterfaceContainer ifs = ip.Assign(dev);
    if (c->routing == 0)
        olsr.AssignStreams(nodes, 200);
    else
        aodv.AssignStreams(nodes, 200);

    const double start = c->warmup_s, stop = start + 1.0 + c->measure_s;
    std::map<std::pair<uint32_t, uint16_t>, uint32_t> key;
    const double interval = c->pkt_bytes * 8.0 / c->offered_bps;
    for (uint32_t f = 0; f < c->n_flows; f++)
    {
        const uint16_t port = (uint16_t)(2000 + f);
        UdpServerHelper srv(port);
        ApplicationContainer a = srv.Install(nodes.Get(c->dst[f]));
        a.Start(Seconds(0.5));
        UdpClientHelper cli(ifs.GetAddress(c->dst[f]), port);
        cli.SetAttribute("Interval", TimeValue(Seconds(interval)));
        cli.SetAttribute("MaxPackets", UintegerValue(4000000000u));
        cli.SetAttribute("PacketSize", UintegerValue(c->pkt_bytes));
        ApplicationContainer b = cli.Install(nodes.Get(c->src[f]));
        b.Start(Seconds(start + 0.01 * f));
        b.Stop(Seconds(stop));
        key[{ifs.GetAddress(c->dst[f]).Get(), port}] = f;
    }
    FlowMonitorHelper fh;
    fh.SetMonitorAttribute("StartTime", TimeValue(Seconds(start + 1.0)));
    Ptr<FlowMonitor> mon = fh.InstallAll();
    Simulator::Stop(Seconds(stop));
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    collect(mon, fh, key, c->measure_s, out, c->n_flows);
    info->wall_s = std::chrono::duration<double>(t1 - t0).count();
    info->sim_s = stop;
    info->events = Simulator::GetEventCount();
    Simulator::Destroy();
    return 0;
}

bool read_all(int fd, void *buf, size_t len)
{
    char *p = static_cast<char *>(buf);
    while (len > 0)
    {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        len -= (size_t)r;
    }
    return true;
}

bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = static_cast<const char *>(buf);
    while (len > 0)
    {
        ssize_t r = write(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        len -= (size_t)r;
    }
    return true;
}

/* Runs fn in a child; results (n flows + info) come back through a pipe. */
template <typename Cfg>
int in_child(int (*fn)(const Cfg *, dn_ns3_flow *, dn_ns3_info *), const Cfg *cfg, uint32_t n,
             double timeout_s, dn_ns3_flow *out, dn_ns3_info *info, char *err, size_t errlen)
{
    int fds[2];
    if (pipe(fds) != 0)
    {
        snprintf(err, errlen, "ns-3 shim: pipe: %s", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
    {
        snprintf(err, errlen, "ns-3 shim: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0)
    {
        close(fds[0]);
        if (timeout_s > 0)
            alarm((unsigned)(timeout_s + 1));
        std::vector<dn_ns3_flow> res(n);
        dn_ns3_info inf{};
        int rc = 1;
        try
        {
            rc = fn(cfg, res.data(), &inf);
        }
        catch (...)
        {
            rc = 1;
        }
        if (rc == 0 && write_all(fds[1], res.data(), n * sizeof(dn_ns3_flow)) &&
            write_all(fds[1], &inf, sizeof inf))
            _exit(0);
        _exit(3);
    }
    close(fds[1]);
    std::vector<dn_ns3_flow> res(n);
    dn_ns3_info inf{};
    bool got = read_all(fds[0], res.data(), n * sizeof(dn_ns3_flow)) && read_all(fds[0], &inf, sizeof inf);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    {
    }
    if (WIFSIGNALED(st))
    {
        int sig = WTERMSIG(st);
        snprintf(err, errlen, "ns-3 run aborted in its child process (signal %d: %s)%s", sig, strsignal(sig),
                 sig == SIGALRM ? ": wall-clock timeout" : "; see ns-3's message above");
        return -1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !got)
    {
        snprintf(err, errlen, "ns-3 run failed in its child process (exit status %d)",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        out[i] = res[i];
    if (info)
        *info = inf;
    return 0;
}

} // namespace

extern "C" double dn_ns3_earfcn_hz(uint32_t dl_earfcn)
{
    return LteSpectrumValueHelper::GetCarrierFrequency(dl_earfcn);
}

extern "C" int dn_ns3_run_cell(const dn_ns3_cell_cfg *cfg, dn_ns3_flow *out, dn_ns3_info *info, char *err,
                               size_t errlen)
{
    if (!cfg || !out || cfg->n_ues == 0 || cfg->n_ues > DN_NS3_MAX_NODES || !cfg->x_m || !cfg->y_m ||
        !(cfg->offered_bps > 0) || cfg->pkt_bytes == 0 || cfg->pkt_bytes > 1400 || !(cfg->measure_s > 0))
    {
        snprintf(err, errlen, "ns-3 cell: invalid configuration");
        return -1;
    }
    static const uint32_t ok_rbs[] = {6, 15, 25, 50, 75, 100};
    bool rb_ok = false;
    for (uint32_t r : ok_rbs)
        rb_ok = rb_ok || r == cfg->rbs;
    if (!rb_ok)
    {
        snprintf(err, errlen, "ns-3 cell: %u resource blocks is not an LTE bandwidth (6 15 25 50 75 100)",
                 cfg->rbs);
        return -1;
    }
    return in_child(run_cell, cfg, cfg->n_ues, cfg->timeout_s, out, info, err, errlen);
}

extern "C" int dn_ns3_run_mesh(const dn_ns3_mesh_cfg *cfg, dn_ns3_flow *out, dn_ns3_info *info, char *err,
                               size_t errlen)
{
    if (!cfg || !out || cfg->n_nodes < 2 || cfg->n_nodes > DN_NS3_MAX_NODES || cfg->n_flows == 0 ||
        cfg->n_flows > DN_NS3_MAX_NODES || !(cfg->offered_bps > 0) || cfg->pkt_bytes == 0 ||
        cfg->pkt_bytes > 1400 || !(cfg->measure_s > 0))
    {
        snprintf(err, errlen, "ns-3 mesh: invalid configuration");
        return -1;
    }
    for (uint32_t f = 0; f < cfg->n_flows; f++)
        if (cfg->src[f] >= cfg->n_nodes || cfg->dst[f] >= cfg->n_nodes || cfg->src[f] == cfg->dst[f])
        {
            snprintf(err, errlen, "ns-3 mesh: flow %u has bad endpoints", f);
            return -1;
        }
    return in_child(run_mesh, cfg, cfg->n_flows, cfg->timeout_s, out, info, err, errlen);
}
