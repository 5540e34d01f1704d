using System.Globalization;
using MultiCluster.Engine.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MultiCluster.Engine.Inventory;

/// <summary>
/// Reads a fleet file: the <c>clusters:</c> layout of DESIGN.md section 3, and the
/// reference-architecture layout (<c>architecture: { regions: [ { name, clusters } ], management }</c>).
/// Bad input throws <see cref="FleetInputException"/> (FleetFileInvalid) naming the file, line and column.
/// </summary>
public static class FleetFileParser
{
    /// <summary>What error messages call a fleet that came from a string.</summary>
    public const string ContentSource = "<content>";

    /// <summary>The largest cluster id any mesh accepts (Cilium with max-connected-clusters 511).</summary>
    private const int MaxClusterId = 511;

    private static readonly string[] TopLevelKeys = { "name", "clusters", "architecture" };
    private static readonly string[] ClusterKeys = { "name", "aliases", "context", "kubeconfig", "region", "role", "labels", "provider", "network", "drPeer", "purpose", "size", "k8s_version" };
    private static readonly string[] ArchitectureClusterKeys = ClusterKeys;
    private static readonly string[] NetworkKeys = { "podCidr", "serviceCidr", "clusterId", "meshNetwork" };
    private static readonly string[] ArchitectureKeys = { "regions", "management", "networking", "data", "identity" };
    private static readonly string[] ManagementKeys = { "cluster", "region", "purpose", "size", "tools", "k8s_version" };
    private static readonly string[] NetworkingKeys = { "mesh", "cross_cluster", "ingress", "egress" };
    private static readonly string[] DataKeys = { "replication", "backup", "database" };
    private static readonly string[] IdentityKeys = { "federation", "rbac_sync" };
    private static readonly string[] RegionKeys = { "name", "clusters" };

    /// <summary>Loads the fleet file at <paramref name="path"/>; relative kubeconfig paths resolve against its folder.</summary>
    public static Fleet Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string content;
        try
        {
            content = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var category = e is FileNotFoundException or DirectoryNotFoundException ? FleetErrorCategory.ObjectNotFound : FleetErrorCategory.InvalidArgument;
            throw new FleetInputException(FleetErrorIds.FleetFileInvalid, category, fullPath,
                $"Cannot read the fleet file '{fullPath}': {e.Message}", e);
        }
        return Parse(content, fullPath, Path.GetDirectoryName(fullPath));
    }

    /// <summary>
    /// Parses fleet YAML held in a string (runbooks keep it in a variable). <paramref name="sourcePath"/>
    /// names it in errors (default "&lt;content&gt;"); relative kubeconfig paths resolve against
    /// <paramref name="baseDirectory"/> (default: the current directory).
    /// </summary>
    public static Fleet Parse(string content, string? sourcePath = null, string? baseDirectory = null)
    {
        var reader = new Reader(sourcePath ?? ContentSource, baseDirectory ?? Directory.GetCurrentDirectory());
        return reader.Read(content);
    }

    private sealed class Reader(string source, string baseDirectory)
    {
        private readonly List<(FleetCluster Cluster, Mark At)> _clusters = new();
        private readonly List<(string Alias, string Cluster, Mark At)> _aliases = new();
        private string? _fleetName;
        private FleetArchitecture? _architecture;

        public Fleet Read(string content)
        {
            var root = LoadRoot(content);
            var fleetName = source == ContentSource ? "fleet" : Path.GetFileNameWithoutExtension(source);
            if (root is null)
                throw Fail(Mark.Empty, "the file is empty; expected a 'clusters:' list or an 'architecture:' section", FleetErrorCategory.InvalidData);
            var top = AsMapping(root, "the fleet file");

            foreach (var (keyNode, value) in top.Children)
            {
                var key = KeyOf(keyNode);
                switch (key)
                {
                    case "name":
                        _fleetName = Scalar(value, "name");
                        break;
                    case "clusters":
                        foreach (var item in AsSequence(value, "clusters").Children)
                            AddCluster(ReadCluster(item, ClusterKeys, region: null));
                        break;
                    case "architecture":
                        ReadArchitecture(AsMapping(value, "architecture"));
                        break;
                    default:
                        throw Fail(keyNode.Start, $"unknown top-level key '{key}'.{NameSuggestions.DidYouMean(key, TopLevelKeys)}", FleetErrorCategory.InvalidData);
                }
            }

            if (!top.Children.Keys.Any(k => KeyOf(k) is "clusters" or "architecture"))
                throw Fail(top.Start, "expected a 'clusters:' list or an 'architecture:' section", FleetErrorCategory.InvalidData);

            CheckAliases();
            var name = string.IsNullOrWhiteSpace(_fleetName) ? fleetName : _fleetName!;
            return new Fleet
            {
                Name = name,
                SourcePath = source,
                Clusters = _clusters.Select(c => WithFleet(c.Cluster, name)).ToList(),
                Architecture = _architecture,
            };
        }

        private YamlNode? LoadRoot(string content)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(content));
            }
            catch (YamlException e)
            {
                var reason = (e.InnerException as YamlException)?.Message ?? e.Message;
                reason = StripLocation(reason);
                var (line, column) = Resources.YamlReader.Position(e, content);
                throw Fail(new Mark(0, line, column), $"not valid YAML: {reason}", FleetErrorCategory.ParserError, e);
            }
            if (stream.Documents.Count > 1)
                throw Fail(stream.Documents[1].RootNode.Start, "expected one YAML document, found several", FleetErrorCategory.InvalidData);
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }

        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (...): "; we say where ourselves.
        private static string StripLocation(string message)
        {
            var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
            return message.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0 ? message[(marker + 3)..] : message;
        }

        private void ReadArchitecture(YamlMappingNode architecture)
        {
            YamlMappingNode? management = null;
            var sections = new Dictionary<string, Dictionary<string, FleetArchitectureChoice?>>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in architecture.Children)
            {
                var key = KeyOf(keyNode);
                switch (key)
                {
                    case "regions":
                        foreach (var regionNode in AsSequence(value, "regions").Children)
                            ReadRegion(AsMapping(regionNode, "a region"));
                        break;
                    case "management":
                        management = AsMapping(value, "management");
                        break;
                    case "networking":
                        sections[key] = ReadChoices(value, key, NetworkingKeys);
                        break;
                    case "data":
                        sections[key] = ReadChoices(value, key, DataKeys);
                        break;
                    case "identity":
                        sections[key] = ReadChoices(value, key, IdentityKeys);
                        break;
                    default:
                        throw Fail(keyNode.Start, $"unknown key '{key}' in 'architecture'.{NameSuggestions.DidYouMean(key, ArchitectureKeys)}", FleetErrorCategory.InvalidData);
                }
            }
            FleetArchitectureChoice? Choice(string section, string key) =>
                sections.TryGetValue(section, out var choices) ? choices.GetValueOrDefault(key) : null;
            _architecture = new FleetArchitecture
            {
                Networking = new FleetNetworkingArchitecture
                {
                    Mesh = Choice("networking", "mesh"), CrossCluster = Choice("networking", "cross_cluster"),
                    Ingress = Choice("networking", "ingress"), Egress = Choice("networking", "egress"),
                },
                Data = new FleetDataArchitecture
                {
                    Replication = Choice("data", "replication"), Backup = Choice("data", "backup"), Database = Choice("data", "database"),
                },
                Identity = new FleetIdentityArchitecture { Federation = Choice("identity", "federation"), RbacSync = Choice("identity", "rbac_sync") },
                Management = management is null ? null : ReadManagement(management),
            };
        }

        private Dictionary<string, FleetArchitectureChoice?> ReadChoices(YamlNode node, string section, string[] keys)
        {
            var choices = new Dictionary<string, FleetArchitectureChoice?>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in AsMapping(node, section).Children)
            {
                var key = KeyOf(keyNode);
                if (!keys.Contains(key, StringComparer.Ordinal))
                    throw Fail(keyNode.Start, $"unknown key '{key}' in '{section}'.{NameSuggestions.DidYouMean(key, keys)}", FleetErrorCategory.InvalidData);
                choices[key] = ArchitectureProviders.Recognise(Scalar(value, $"{section}.{key}"));
            }
            return choices;
        }

        private FleetManagementArchitecture ReadManagement(YamlMappingNode management)
        {
            string? region = null, purpose = null, size = null, version = null;
            var tools = new List<string>();
            foreach (var (keyNode, value) in management.Children)
            {
                var key = KeyOf(keyNode);
                switch (key)
                {
                    case "cluster": break;
                    case "region": region = Scalar(value, "management.region"); break;
                    case "purpose": purpose = Scalar(value, "management.purpose"); break;
                    case "size": size = Scalar(value, "management.size"); break;
                    case "k8s_version": version = Scalar(value, "management.k8s_version"); break;
                    case "tools":
                        var items = value is YamlSequenceNode list ? list.Children.ToList() : [value];
                        tools.AddRange(items.Select(i => Scalar(i, "management.tools")).Where(t => t.Trim().Length > 0));
                        break;
                    default:
                        throw Fail(keyNode.Start, $"unknown key '{key}' in 'management'.{NameSuggestions.DidYouMean(key, ManagementKeys)}", FleetErrorCategory.InvalidData);
                }
            }

            var clusterNode = Child(management, "cluster")
                ?? throw Fail(management.Start, "'management' must name its cluster ('cluster: <name>')", FleetErrorCategory.InvalidData);
            var managementName = Scalar(clusterNode, "management.cluster");
            var index = _clusters.FindIndex(c => string.Equals(c.Cluster.Name, managementName, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                var known = _clusters[index].Cluster;
                // What the management section says fills in what the cluster entry leaves out.
                _clusters[index] = (known with
                {
                    Role = FleetClusterRole.Management,
                    Purpose = known.Purpose ?? purpose,
                    Size = known.Size ?? size,
                    KubernetesVersion = known.KubernetesVersion ?? version,
                }, _clusters[index].At);
            }
            else
            {
                AddCluster((new FleetCluster
                {
                    Name = managementName,
                    Context = managementName,
                    Role = FleetClusterRole.Management,
                    Region = region,
                    Purpose = purpose,
                    Size = size,
                    KubernetesVersion = version,
                }, clusterNode.Start));
            }
            return new FleetManagementArchitecture { Cluster = managementName, Region = region, Purpose = purpose, Size = size, Tools = tools };
        }

        private void ReadRegion(YamlMappingNode region)
        {
            var nameNode = Child(region, "name") ?? throw Fail(region.Start, "a region needs a 'name'", FleetErrorCategory.InvalidData);
            var regionName = Scalar(nameNode, "region name");
            foreach (var (keyNode, value) in region.Children)
            {
                var key = KeyOf(keyNode);
                if (key == "clusters")
                {
                    foreach (var item in AsSequence(value, "clusters").Children)
                        AddCluster(ReadCluster(item, ArchitectureClusterKeys, regionName));
                }
                else if (key != "name")
                {
                    throw Fail(keyNode.Start, $"unknown key '{key}' in region '{regionName}'.{NameSuggestions.DidYouMean(key, RegionKeys)}", FleetErrorCategory.InvalidData);
                }
            }
        }

        private (FleetCluster, Mark) ReadCluster(YamlNode node, string[] allowedKeys, string? region)
        {
            var map = AsMapping(node, "a cluster");
            var nameNode = Child(map, "name") ?? throw Fail(map.Start, "a cluster needs a 'name'", FleetErrorCategory.InvalidData);
            var name = Scalar(nameNode, "name");
            if (string.IsNullOrWhiteSpace(name)) throw Fail(nameNode.Start, "a cluster's 'name' must not be empty", FleetErrorCategory.InvalidData);

            string? context = null, kubeconfig = null, provider = null, drPeer = null, purpose = null, size = null, version = null;
            var aliases = new List<string>();
            FleetClusterRole? role = null;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var network = new FleetClusterNetwork();

            foreach (var (keyNode, value) in map.Children)
            {
                var key = KeyOf(keyNode);
                if (!allowedKeys.Contains(key, StringComparer.Ordinal))
                    throw Fail(keyNode.Start, $"unknown key '{key}' in cluster '{name}'.{NameSuggestions.DidYouMean(key, allowedKeys)}", FleetErrorCategory.InvalidData);
                switch (key)
                {
                    case "aliases": aliases = ReadAliases(value, name); break;
                    case "context": context = Scalar(value, key); break;
                    case "kubeconfig": kubeconfig = ResolvePath(Scalar(value, key)); break;
                    case "region": region = Scalar(value, key); break;
                    case "role": role = ParseRole(value); break;
                    case "labels": ReadLabels(value, labels, name); break;
                    case "provider": provider = Scalar(value, key); break;
                    case "network": network = ReadNetwork(value, name); break;
                    case "drPeer": drPeer = Scalar(value, key); break;
                    case "purpose": purpose = Scalar(value, key); break;
                    case "size": size = Scalar(value, key); break;
                    case "k8s_version": version = Scalar(value, key); break;
                }
            }

            role ??= IsDisasterRecoveryPurpose(purpose) ? FleetClusterRole.Dr : FleetClusterRole.Workload;
            var cluster = new FleetCluster
            {
                Name = name,
                Aliases = aliases,
                Context = string.IsNullOrEmpty(context) ? name : context,
                Kubeconfig = kubeconfig,
                Region = region,
                Role = role.Value,
                Labels = labels,
                Provider = provider,
                Network = network,
                DrPeer = drPeer,
                Purpose = purpose,
                Size = size,
                KubernetesVersion = version,
            };
            return (cluster, nameNode.Start);
        }

        // A single alias may be written as a value; each is kept with where it stands, for CheckAliases.
        private List<string> ReadAliases(YamlNode node, string cluster)
        {
            var items = node is YamlSequenceNode list ? list.Children.ToList() : [node];
            var aliases = new List<string>();
            foreach (var item in items)
            {
                var alias = Scalar(item, "aliases").Trim();
                if (alias.Length == 0) throw Fail(item.Start, $"an alias of cluster '{cluster}' is empty", FleetErrorCategory.InvalidData);
                if (WildcardName.ContainsWildcards(alias))
                    throw Fail(item.Start, $"the alias '{alias}' of cluster '{cluster}' holds a wildcard character (*, ? or [)", FleetErrorCategory.InvalidData);
                if (aliases.Contains(alias, StringComparer.OrdinalIgnoreCase) || string.Equals(alias, cluster, StringComparison.OrdinalIgnoreCase)) continue;
                aliases.Add(alias);
                _aliases.Add((alias, cluster, item.Start));
            }
            return aliases;
        }

        // An alias must name one cluster only: not another cluster's name, not another cluster's alias.
        private void CheckAliases()
        {
            foreach (var (alias, cluster, at) in _aliases)
            {
                var named = _clusters.FirstOrDefault(c => string.Equals(c.Cluster.Name, alias, StringComparison.OrdinalIgnoreCase));
                if (named.Cluster is not null)
                    throw Fail(at, $"the alias '{alias}' of cluster '{cluster}' is the name of cluster '{named.Cluster.Name}' (line {named.At.Line}); an alias must name one cluster only", FleetErrorCategory.InvalidData);
                var other = _aliases.FirstOrDefault(a => a.Cluster != cluster && string.Equals(a.Alias, alias, StringComparison.OrdinalIgnoreCase));
                if (other.Alias is not null)
                    throw Fail(other.At.Line > at.Line ? other.At : at,
                        $"the alias '{alias}' names two clusters, '{cluster}' (line {at.Line}) and '{other.Cluster}' (line {other.At.Line}); an alias must name one cluster only", FleetErrorCategory.InvalidData);
            }
        }

        private static bool IsDisasterRecoveryPurpose(string? purpose) =>
            purpose is not null && purpose.Trim().ToLowerInvariant() is "dr" or "disaster recovery" or "disaster-recovery" or "disaster_recovery";

        private FleetClusterRole ParseRole(YamlNode node)
        {
            var text = Scalar(node, "role");
            return text.ToLowerInvariant() switch
            {
                "management" => FleetClusterRole.Management,
                "workload" => FleetClusterRole.Workload,
                "dr" => FleetClusterRole.Dr,
                _ => throw Fail(node.Start, $"unknown role '{text}'; expected management, workload or dr.{NameSuggestions.DidYouMean(text, new[] { "management", "workload", "dr" })}", FleetErrorCategory.InvalidData),
            };
        }

        private void ReadLabels(YamlNode node, Dictionary<string, string> labels, string cluster)
        {
            foreach (var (keyNode, valueNode) in AsMapping(node, "labels").Children)
            {
                var key = KeyOf(keyNode);
                var keyProblem = LabelRules.KeyProblem(key);
                if (keyProblem is not null)
                    throw Fail(keyNode.Start, $"invalid label key '{key}' in cluster '{cluster}': {keyProblem}", FleetErrorCategory.InvalidData);
                var value = Scalar(valueNode, $"label '{key}'");
                var valueProblem = LabelRules.ValueProblem(value);
                if (valueProblem is not null)
                    throw Fail(valueNode.Start, $"invalid value '{value}' of label '{key}' in cluster '{cluster}': {valueProblem}", FleetErrorCategory.InvalidData);
                labels[key] = value;
            }
        }

        private FleetClusterNetwork ReadNetwork(YamlNode node, string cluster)
        {
            string? podCidr = null, serviceCidr = null, meshNetwork = null;
            int? clusterId = null;
            foreach (var (keyNode, value) in AsMapping(node, "network").Children)
            {
                var key = KeyOf(keyNode);
                switch (key)
                {
                    case "podCidr": podCidr = Cidr(value, key, cluster); break;
                    case "serviceCidr": serviceCidr = Cidr(value, key, cluster); break;
                    case "meshNetwork": meshNetwork = Scalar(value, key); break;
                    case "clusterId":
                        var text = Scalar(value, key);
                        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                            throw Fail(value.Start, $"'clusterId' of cluster '{cluster}' must be an integer, not '{text}'", FleetErrorCategory.InvalidData);
                        if (id is < 1 or > MaxClusterId)
                            throw Fail(value.Start, $"'clusterId' of cluster '{cluster}' is {id}; cluster ids run from 1 to {MaxClusterId} (Cilium's range with extended ids)", FleetErrorCategory.InvalidData);
                        clusterId = id;
                        break;
                    default:
                        throw Fail(keyNode.Start, $"unknown key '{key}' in the network of cluster '{cluster}'.{NameSuggestions.DidYouMean(key, NetworkKeys)}", FleetErrorCategory.InvalidData);
                }
            }
            return new FleetClusterNetwork { PodCidr = podCidr, ServiceCidr = serviceCidr, ClusterId = clusterId, MeshNetwork = meshNetwork };
        }

        private string Cidr(YamlNode node, string key, string cluster)
        {
            var text = Scalar(node, key);
            if (!Cidrs.TryParse(text, out _))
                throw Fail(node.Start, $"'{key}' of cluster '{cluster}' is not a CIDR (for example 10.244.0.0/16): '{text}'", FleetErrorCategory.InvalidData);
            return text;
        }

        private void AddCluster((FleetCluster Cluster, Mark At) entry)
        {
            var existing = _clusters.FindIndex(c => string.Equals(c.Cluster.Name, entry.Cluster.Name, StringComparison.OrdinalIgnoreCase));
            if (existing >= 0)
                throw Fail(entry.At, $"duplicate cluster name '{entry.Cluster.Name}' (first defined at line {_clusters[existing].At.Line})", FleetErrorCategory.InvalidData);
            _clusters.Add(entry);
        }

        private string? ResolvePath(string path)
        {
            if (string.IsNullOrWhiteSpace(path)) return null;
            if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
                path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/'));
            return Path.GetFullPath(path, baseDirectory);
        }

        private string KeyOf(YamlNode node) => node is YamlScalarNode { Value: { } key }
            ? key
            : throw Fail(node.Start, "expected a plain key", FleetErrorCategory.InvalidData);

        private string Scalar(YamlNode node, string what) => node is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw Fail(node.Start, $"'{what}' must be a single value, not a {Describe(node)}", FleetErrorCategory.InvalidData);

        private YamlMappingNode AsMapping(YamlNode node, string what) => node as YamlMappingNode
            ?? throw Fail(node.Start, $"{what} must be a mapping (key: value), not a {Describe(node)}", FleetErrorCategory.InvalidData);

        private YamlSequenceNode AsSequence(YamlNode node, string what) => node as YamlSequenceNode
            ?? throw Fail(node.Start, $"'{what}' must be a list, not a {Describe(node)}", FleetErrorCategory.InvalidData);

        private static YamlNode? Child(YamlMappingNode map, string key) =>
            map.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == key).Value;

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "mapping",
            YamlSequenceNode => "list",
            _ => "value",
        };

        private string Where(Mark mark) => $"{source}:{mark.Line}:{mark.Column}";

        private FleetInputException Fail(Mark mark, string what, FleetErrorCategory category, Exception? inner = null) =>
            new(FleetErrorIds.FleetFileInvalid, category, source,
                $"Fleet file {source}, line {mark.Line}, column {mark.Column}: {what}", inner,
                "Fix the fleet file and import it again.");

        private static FleetCluster WithFleet(FleetCluster cluster, string fleet) => Copy(cluster, fleet: fleet);

        private static FleetCluster Copy(FleetCluster c, FleetClusterRole? role = null, string? fleet = null) => new()
        {
            Name = c.Name,
            Aliases = c.Aliases,
            Context = c.Context,
            Kubeconfig = c.Kubeconfig,
            Region = c.Region,
            Role = role ?? c.Role,
            Labels = c.Labels,
            Provider = c.Provider,
            Network = c.Network,
            DrPeer = c.DrPeer,
            Fleet = fleet ?? c.Fleet,
            KubernetesVersion = c.KubernetesVersion,
            Purpose = c.Purpose,
            Size = c.Size,
        };
    }
}
