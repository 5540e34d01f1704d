using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Access;
using MultiCluster.Engine.Errors;
using MultiCluster.Engine.Inventory;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Access;

/// <summary>
/// The inputs Set-FleetRbac and Test-FleetRbac share: one role from -Name, -Rule and the subject
/// parameters, a binding of an existing -ClusterRole to the subjects, or KubeFed Federated(Cluster)Role/Federated(Cluster)RoleBinding documents from -Path or
/// the pipeline; clusters from -Cluster, -Selector or piped clusters.
/// </summary>
public abstract class RbacDefinitionCmdlet : FanOutCmdlet
{
    protected const string RuleSet = "Rule";
    protected const string ClusterRoleSet = "ClusterRole";
    protected const string PathSet = "Path";
    protected const string InputSet = "InputObject";
    private readonly DocumentInputs _documents = new();
    private ClusterPlacement? _placement;

    /// <summary>The name of the role and of its binding.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RuleSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Rules as hashtables of apiGroups, resources, verbs, resourceNames, nonResourceURLs.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RuleSet)]
    [AllowEmptyCollection]
    public IDictionary[] Rule { get; set; } = [];

    /// <summary>An existing ClusterRole (view, edit, cluster-admin) to bind instead of a role of the module's own.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string ClusterRole { get; set; } = "";

    /// <summary>Makes the role a Role and its binding a RoleBinding in this namespace.</summary>
    [Parameter(ParameterSetName = RuleSet)]
    [Parameter(ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>Groups to bind the role to.</summary>
    [Parameter(ParameterSetName = RuleSet)]
    [Parameter(ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string[] Group { get; set; } = [];

    /// <summary>Users to bind the role to.</summary>
    [Parameter(ParameterSetName = RuleSet)]
    [Parameter(ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string[] User { get; set; } = [];

    /// <summary>Service accounts to bind the role to: namespace/name, or a name in -Namespace.</summary>
    [Parameter(ParameterSetName = RuleSet)]
    [Parameter(ParameterSetName = ClusterRoleSet)]
    [ValidateNotNullOrEmpty]
    public string[] ServiceAccount { get; set; } = [];

    /// <summary>Files or folders of KubeFed FederatedClusterRole, FederatedClusterRoleBinding, FederatedRole and FederatedRoleBinding documents.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>KubeFed documents from the pipeline: YAML text, hashtables or PSCustomObjects.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        CollectClusters();
        if (ParameterSetName == PathSet) _documents.AddPaths(this, Path);
        else if (ParameterSetName == InputSet) _documents.AddObject(InputObject);
    }

    /// <summary>
    /// Reads and checks every definition; terminates on the first bad one (naming its document and
    /// field), so no cluster is contacted unless all of them are good.
    /// </summary>
    protected IReadOnlyList<RbacDefinition> ReadDefinitions()
    {
        try
        {
            var subjects = Group.Select(g => new RbacSubject("Group", g))
                .Concat(User.Select(u => new RbacSubject("User", u)))
                .Concat(ServiceAccount.Select(RbacSubject.ServiceAccount));
            var source = $"{MyInvocation.MyCommand.Name} -Name {Name}";
            if (ParameterSetName == RuleSet)
            {
                var rules = Rule.Select(r => PowerShellObjects.ToPlain(r) as IDictionary ?? new Hashtable());
                return [RbacDefinition.Create(Name, Namespace, rules, subjects, source)];
            }
            if (ParameterSetName == ClusterRoleSet) return [RbacDefinition.Bind(Name, Namespace, ClusterRole, subjects, source)];
            var documents = _documents.Read(ParameterSetName == PathSet);
            var definitions = RbacDefinition.FromKubeFed(documents);
            _placement = RbacDefinition.SharedPlacement(definitions);
            if (_placement is not null && (ClusterNames.Count > 0 || Selector is not null))
            {
                throw new FleetInputException(PlacementErrorIds.PlacementConflict, FleetErrorCategory.InvalidArgument, definitions[0].Name,
                    $"The KubeFed documents carry their own placement ({_placement}), so -Cluster, -Selector and piped clusters cannot be given with them.",
                    recommendedAction: "Drop -Cluster, -Selector and piped clusters, or edit spec.placement.");
            }
            return definitions;
        }
        catch (Exception ex)
        {
            Terminate(ex);
            throw; // not reached
        }
    }

    /// <summary>
    /// The clusters to act on: the KubeFed documents' spec.placement when they carry one, otherwise
    /// -Cluster, -Selector or the piped clusters (the whole fleet when none is given).
    /// </summary>
    protected IReadOnlyList<FleetCluster> SelectPlacedClusters() => _placement is null ? SelectClusters() : SelectClusters(_placement);
}
