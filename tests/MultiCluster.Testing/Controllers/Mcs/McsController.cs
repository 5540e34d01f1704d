using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers.Mcs;

/// <summary>
/// Stands in for a Multi-Cluster Services implementation (mcs-api v1alpha1, as Submariner's
/// Lighthouse or Cilium's MCS support) once the MCS CRDs are installed; without them it does
/// nothing. Every controller made from one <see cref="ControllerSettings"/> belongs to the same
/// <see cref="McsClusterSet"/>. Simulated:
/// <list type="bullet">
/// <item>ServiceExport conditions in the exporting cluster: <c>Valid</c> (True/Valid, or False with
/// NoService or InvalidServiceType for an ExternalName Service), <c>Ready</c> (True/Exported) and
/// <c>Conflict</c> (False/NoConflicts, or True with PortConflict, TypeConflict and
/// SessionAffinityConflict joined by commas and a message naming the clusters that disagree).</item>
/// <item>ServiceImport in every member whose namespace exists, exporters included, once a valid
/// export exists anywhere: the oldest export (creationTimestamp, then cluster name) decides the type
/// (ClusterSetIP, or Headless for clusterIP None) and session affinity; ports are the union by name,
/// the oldest export's port winning a name they disagree on; <c>spec.ips</c> one address from
/// 10.255.0.0/16 per importing cluster (ClusterSetIP only); <c>status.clusters</c> the exporters by
/// instance name. It goes when the last export goes.</item>
/// </list>
/// Left out: EndpointSlices and DNS, exported labels and annotations, a namespace created after the
/// export (the import appears at the next change of the service), ipFamilies and traffic policies.
/// </summary>
public sealed class McsController(McsClusterSet clusterSet) : StoreController
{
    public const string ControllerName = "mcs";
    public const string Group = "multicluster.x-k8s.io";

    public override string Name => ControllerName;

    public McsClusterSet ClusterSet { get; } = clusterSet;

    protected override IReadOnlyList<(string Group, string Resource)> Watches { get; } =
        [(Group, "serviceexports"), (Group, "serviceimports"), ("", "services")];

    protected override void OnStart() => ClusterSet.Join(this);

    protected override void OnStop() => ClusterSet.Leave(this);

    // Every member looks at a service whenever any member's export, import or Service of it changes.
    protected override void OnWatchedChange(StoreEvent change) => ClusterSet.Changed(change.Key.Namespace, change.Key.Name);

    internal void QueueService(string ns, string name) => Enqueue(new ObjectKey(Group, "serviceexports", ns, name));

    /// <summary>The services this member exports now (for the set to look at when it leaves).</summary>
    internal IEnumerable<(string Namespace, string Name)> ExportedServices() =>
        Type("serviceexports") is { } type
            ? Cluster.Store.List(type, null).Items.Select(e => ((string?)e["metadata"]?["namespace"] ?? "", (string?)e["metadata"]?["name"] ?? "")).ToList()
            : [];

    private ResourceType? Type(string plural) => Cluster.Registry.Find(Group, plural);

    /// <summary>One member's export of the service, as the set sees it.</summary>
    private sealed record Export(string Cluster, JsonObject ServiceExport, JsonObject? Service)
    {
        public string CreatedAt => (string?)ServiceExport["metadata"]?["creationTimestamp"] ?? "";
        public string? Invalid => Service is null ? "NoService" : (string?)Service["spec"]?["type"] == "ExternalName" ? "InvalidServiceType" : null;
        public string ImportType => (string?)Service?["spec"]?["clusterIP"] == "None" ? "Headless" : "ClusterSetIP";
        public string SessionAffinity => (string?)Service?["spec"]?["sessionAffinity"] ?? "None";

        public IEnumerable<JsonObject> Ports => (Service?["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p =>
        {
            var port = new JsonObject { ["name"] = (string?)p["name"] ?? "", ["protocol"] = (string?)p["protocol"] ?? "TCP", ["port"] = Number(p["port"]) };
            if ((string?)p["appProtocol"] is { } appProtocol) port["appProtocol"] = appProtocol;
            return port;
        });
    }

    protected override void Reconcile(ObjectKey key)
    {
        if (Type("serviceexports") is not { } exportType || Type("serviceimports") is not { } importType) return;
        var exports = ClusterSet.Members.SelectMany(m => m.ExportOf(key.Namespace, key.Name)).ToList();
        var valid = exports.Where(e => e.Invalid is null)
            .OrderBy(e => e.CreatedAt, StringComparer.Ordinal).ThenBy(e => e.Cluster, StringComparer.Ordinal).ToList();
        if (exports.FirstOrDefault(e => e.Cluster == Cluster.Name) is { } own)
            WriteExportStatus(exportType, own, valid);
        WriteImport(importType, key.Namespace, key.Name, valid);
    }

    private IEnumerable<Export> ExportOf(string ns, string name)
    {
        if (Type("serviceexports") is not { } type || Cluster.Store.Get(type, ns, name) is not { } export) yield break;
        yield return new Export(Cluster.Name, export, Cluster.Store.Get(Cluster.Registry.Find("", "services")!, ns, name));
    }

    private void WriteExportStatus(ResourceType type, Export own, IReadOnlyList<Export> valid)
    {
        var export = own.ServiceExport;
        var generation = Math.Max(Number(export["metadata"]?["generation"]), 1);
        var old = (export["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var conditions = new JsonArray();
        void Add(string conditionType, bool status, string reason, string message)
        {
            var statusText = status ? "True" : "False";
            var previous = old.FirstOrDefault(c => (string?)c["type"] == conditionType);
            var since = previous is not null && (string?)previous["status"] == statusText
                ? (string?)previous["lastTransitionTime"]
                : ObjectStore.Timestamp(Cluster.Clock.UtcNow);
            conditions.Add(new JsonObject
            {
                ["type"] = conditionType, ["status"] = statusText, ["observedGeneration"] = generation,
                ["lastTransitionTime"] = since, ["reason"] = reason, ["message"] = message,
            });
        }

        if (own.Invalid is { } invalid)
        {
            Add("Valid", false, invalid, invalid == "NoService"
                ? $"Service {NamespaceOf(export)}/{NameOf(export)} does not exist"
                : $"Service {NamespaceOf(export)}/{NameOf(export)} is of type ExternalName, which cannot be exported");
            Add("Ready", false, "Failed", "The service is not valid for export");
        }
        else
        {
            Add("Valid", true, "Valid", "The service is valid for export");
            Add("Ready", true, "Exported", "The service is exported to the cluster set");
            var (reasons, message) = Conflicts(valid);
            if (reasons.Count == 0) Add("Conflict", false, "NoConflicts", "");
            else Add("Conflict", true, string.Join(",", reasons), message);
        }
        var status = new JsonObject { ["conditions"] = conditions };
        if (JsonNode.DeepEquals(export["status"], status)) return;
        export["status"] = status;
        Cluster.Store.Update(type, export);
    }

    /// <summary>What the exporters disagree on, the oldest export's setting winning, as mcs-api names it.</summary>
    private static (List<string> Reasons, string Message) Conflicts(IReadOnlyList<Export> valid)
    {
        var reasons = new List<string>();
        var messages = new List<string>();
        var oldest = valid[0];
        var clusters = string.Join(", ", valid.Select(e => e.Cluster));
        var typeDisagrees = valid.Where(e => e.ImportType != oldest.ImportType).Select(e => e.Cluster).ToList();
        if (typeDisagrees.Count > 0)
        {
            reasons.Add("TypeConflict");
            messages.Add($"The service type conflicts between the clusters [{clusters}]: using {oldest.ImportType} of the oldest export in {oldest.Cluster} ([{string.Join(", ", typeDisagrees)}] disagree).");
        }
        var oldestPorts = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var portDisagrees = new List<string>();
        foreach (var export in valid)
            foreach (var port in export.Ports)
            {
                var name = (string?)port["name"] ?? "";
                if (!oldestPorts.TryGetValue(name, out var first)) oldestPorts[name] = port;
                else if (!JsonNode.DeepEquals(first, port) && !portDisagrees.Contains(export.Cluster)) portDisagrees.Add(export.Cluster);
            }
        if (portDisagrees.Count > 0)
        {
            reasons.Add("PortConflict");
            messages.Add($"The service ports conflict between the clusters [{clusters}]: the oldest export's port wins each name ([{string.Join(", ", portDisagrees)}] disagree).");
        }
        var affinityDisagrees = valid.Where(e => e.SessionAffinity != oldest.SessionAffinity).Select(e => e.Cluster).ToList();
        if (affinityDisagrees.Count > 0)
        {
            reasons.Add("SessionAffinityConflict");
            messages.Add($"The session affinity conflicts between the clusters [{clusters}]: using {oldest.SessionAffinity} of {oldest.Cluster} ([{string.Join(", ", affinityDisagrees)}] disagree).");
        }
        return (reasons, string.Join(" ", messages));
    }

    private void WriteImport(ResourceType type, string ns, string name, IReadOnlyList<Export> valid)
    {
        var existing = Cluster.Store.Get(type, ns, name);
        if (valid.Count == 0 || Cluster.Store.Get(Cluster.Registry.Find("", "namespaces")!, null, ns) is null)
        {
            if (existing is not null) Cluster.Store.Delete(type, ns, name);
            return;
        }
        var oldest = valid[0];
        var ports = new List<JsonObject>();
        foreach (var port in valid.SelectMany(e => e.Ports))
            if (!ports.Any(p => (string?)p["name"] == (string?)port["name"])) ports.Add(port);
        var spec = new JsonObject
        {
            ["type"] = oldest.ImportType,
            ["sessionAffinity"] = oldest.SessionAffinity,
            ["ports"] = new JsonArray(ports.Select(p => (JsonNode?)p).ToArray()),
        };
        if (oldest.ImportType == "ClusterSetIP") spec["ips"] = new JsonArray(ClusterSetIp(ns, name));
        var status = new JsonObject
        {
            ["clusters"] = new JsonArray(valid.Select(e => e.Cluster).Order(StringComparer.Ordinal).Select(c => (JsonNode?)new JsonObject { ["cluster"] = c }).ToArray()),
        };
        if (existing is not null)
        {
            if (JsonNode.DeepEquals(existing["spec"], spec) && JsonNode.DeepEquals(existing["status"], status)) return;
            existing["spec"] = spec;
            existing["status"] = status;
            Cluster.Store.Update(type, existing);
            return;
        }
        Cluster.Store.Create(type, new JsonObject
        {
            ["apiVersion"] = Group + "/v1alpha1",
            ["kind"] = "ServiceImport",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
            ["status"] = status,
        });
    }

    /// <summary>A stable address per importing cluster and service, as an implementation allocates one.</summary>
    private string ClusterSetIp(string ns, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Cluster.Name}/{ns}/{name}"));
        return $"10.255.{hash[0]}.{Math.Max((int)hash[1], 1)}";
    }

    // Numbers arrive as whatever .NET type parsed or wrote them; their JSON text is the same.
    private static long Number(JsonNode? node) => node is null ? 0 : long.Parse(node.ToJsonString().Trim('"'), System.Globalization.CultureInfo.InvariantCulture);

    private static string NamespaceOf(JsonObject obj) => (string?)obj["metadata"]?["namespace"] ?? "";

    private static string NameOf(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";
}
