using System.Collections;
using System.Management.Automation;
using MultiCluster.Engine.Delivery;
using MultiCluster.Engine.Federation;
using MultiCluster.Engine.Resources;
using MultiCluster.Infrastructure;

namespace MultiCluster.Commands.Delivery;

/// <summary>
/// Builds an Argo CD ApplicationSet for the selected clusters (a list generator whose elements
/// carry cluster, region, fleet labels and -Parameter values, or a cluster generator over the
/// registered clusters) and applies it to Argo CD's namespace on the management cluster, or with
/// -OutputPath renders it. A template naming a parameter some element lacks is refused.
/// </summary>
[Cmdlet(VerbsCommon.New, "FleetApplicationSet", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FleetResourceResult), typeof(FleetManifest))]
public sealed class NewFleetApplicationSetCommand : FanOutCmdlet
{
    /// <summary>The ApplicationSet's name; each Application is named CLUSTER-NAME.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The Git repository (or Helm repository) of the application.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string RepoUrl { get; set; } = "";

    /// <summary>The revision (branch, tag, commit); may be a template.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Revision { get; set; } = "HEAD";

    /// <summary>The path in the repository, usually a template such as overlays/{{region}}.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The namespace each Application deploys into.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string DestinationNamespace { get; set; } = "";

    /// <summary>The Argo CD project of the Applications.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Project { get; set; } = "default";

    /// <summary>List (elements from the fleet) or Cluster (a cluster generator over the registered cluster Secrets).</summary>
    [Parameter]
    [ValidateSet("List", "Cluster")]
    public string Generator { get; set; } = "List";

    /// <summary>Template parameters: name = value for every cluster, or name = @{ cluster = value }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Parameter { get; set; }

    /// <summary>Helm parameters: value name = (templated) value.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? HelmParameter { get; set; }

    /// <summary>Helm value files, in order; may be templates.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ValueFile { get; set; }

    /// <summary>Go templates ({{.region}}) with missingkey=error instead of fasttemplate ({{region}}).</summary>
    [Parameter]
    public SwitchParameter GoTemplate { get; set; }

    /// <summary>Automated sync with prune and self-heal.</summary>
    [Parameter]
    public SwitchParameter AutoSync { get; set; }

    /// <summary>Sync option CreateNamespace=true.</summary>
    [Parameter]
    public SwitchParameter CreateNamespace { get; set; }

    /// <summary>Ordered groups of the clusters, as Publish-FleetWorkload -Wave takes them; each becomes a RollingSync step.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Wave { get; set; }

    /// <summary>Writes the ApplicationSet to this folder instead of applying it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <summary>The cluster running Argo CD; by default the fleet's cluster with role management.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ManagementCluster { get; set; }

    /// <summary>Argo CD's namespace on the management cluster.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ArgoNamespace { get; set; } = "argocd";

    protected override void ProcessRecord() => CollectClusters();

    protected override void EndProcessing()
    {
        var session = RunspaceSessions.Current;
        FleetCluster management;
        KubeObject applicationSet;
        try
        {
            management = ArgoManagementCluster.Resolve(session.GetFleet().Clusters, ManagementCluster);
            var clusters = SelectClusters().Where(c => c.Name != management.Name).ToList();
            if (clusters.Count == 0) return;
            var request = new ApplicationSetRequest
            {
                Name = Name, RepoUrl = RepoUrl, Revision = Revision, Path = Path, DestinationNamespace = DestinationNamespace, Project = Project,
                ArgoNamespace = ArgoNamespace, Clusters = clusters, ClusterGenerator = Generator == "Cluster", ClusterSelector = Selector,
                Parameters = Map(Parameter), HelmParameters = Map(HelmParameter).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? ""),
                ValueFiles = ValueFile ?? [], GoTemplate = GoTemplate, AutoSync = AutoSync, CreateNamespace = CreateNamespace,
                Waves = Wave is null ? [] : WaveReader.Read(Wave.Select(PowerShellObjects.ToPlain).ToList()),
            };
            // Inside the engine's scope, so a fleet label the elements cannot carry is a warning here.
            applicationSet = RunEngineStep(() => ApplicationSetDefinition.Build(request));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Terminate(ex);
            return;
        }
        var whatIf = IsWhatIf;
        if (OutputPath is not null)
        {
            var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputPath);
            try
            {
                foreach (var manifest in ManifestWriter.Render(management.Name, [applicationSet], whatIf ? null : directory)) WriteObject(manifest);
            }
            catch (Exception ex)
            {
                Terminate(ex);
            }
            return;
        }
        if (!whatIf && !ShouldProcess($"Cluster {management.Name}: apply {applicationSet.Reference}", "New-FleetApplicationSet")) return;
        var service = new ApplicationSetService(session.Connector);
        var options = FanOutSettings();
        RunEngine(async cancel => Emit(await service.ApplyAsync(management, applicationSet, whatIf, options, cancel).ConfigureAwait(false)));
    }

    private static Dictionary<string, object?> Map(Hashtable? table) =>
        table is null ? [] : table.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => PowerShellObjects.ToPlain(e.Value), StringComparer.Ordinal);
}
