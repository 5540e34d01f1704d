using MultiCluster.Testing.ApiServer;

namespace MultiCluster.Testing.Controllers;

/// <summary>
/// The simulated controllers by name, so a test opts in with
/// <c>Controllers = ControllerCatalog.Create("deployments", "serviceaccount-tokens")</c> or
/// <c>ControllerCatalog.Create("all")</c>. Each call makes new instances (controllers are per
/// cluster). Later controllers register a factory here (see Controllers/README.md).
/// </summary>
public static class ControllerCatalog
{
    public const string All = "all";

    private static readonly Dictionary<string, Func<ControllerSettings, IController>> Factories = new(StringComparer.Ordinal)
    {
        [DeploymentController.ControllerName] = settings => new DeploymentController(settings.DeploymentReadyDelay),
        [ServiceAccountTokenController.ControllerName] = _ => new ServiceAccountTokenController(),
        [RbacActivation.ControllerName] = _ => new RbacActivation(),
        [NamespaceDefaultsController.ServiceAccountsName] = _ => new NamespaceDefaultsController(NamespaceDefaultsController.Kind.DefaultServiceAccount),
        [NamespaceDefaultsController.RootCaPublisherName] = _ => new NamespaceDefaultsController(NamespaceDefaultsController.Kind.RootCaConfigMap),
        [ClusterApiController.ControllerName] = settings => new ClusterApiController(settings.ClusterProvisionDelay, settings.ClusterMachineStepInterval),
        [Velero.VeleroController.ControllerName] = settings => new Velero.VeleroController(settings.VeleroStorage, settings.VeleroBackupDuration, settings.VeleroRestoreDuration),
        [Mcs.McsController.ControllerName] = settings => new Mcs.McsController(settings.McsClusterSet),
    };

    /// <summary>The registered names, in registration order.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Factories)
                return Factories.Keys.ToList();
        }
    }

    /// <summary>Registers (or replaces) a controller factory under <paramref name="name"/>.</summary>
    public static void Register(string name, Func<ControllerSettings, IController> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == All)
            throw new ArgumentException($"\"{All}\" is reserved for every controller", nameof(name));
        lock (Factories)
            Factories[name] = factory;
    }

    /// <summary>New controllers for <paramref name="names"/> with default settings; "all" means every registered one.</summary>
    public static List<IController> Create(params string[] names) => Create(new ControllerSettings(), names);

    public static List<IController> Create(ControllerSettings settings, params string[] names)
    {
        lock (Factories)
        {
            var wanted = names.Contains(All) ? Factories.Keys.ToList() : names.Distinct().ToList();
            var unknown = wanted.Where(n => !Factories.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException(
                    $"unknown controller(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Factories.Keys)}", nameof(names));
            return wanted.Select(n => Factories[n](settings)).ToList();
        }
    }
}

/// <summary>Knobs of the simulated controllers, shared by one <see cref="ControllerCatalog.Create(ControllerSettings, string[])"/> call.</summary>
public sealed record ControllerSettings
{
    /// <summary>How long after a spec change a Deployment's replicas become ready, on the instance's clock.</summary>
    public TimeSpan DeploymentReadyDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How long after a Cluster API Cluster appears it is Provisioned, on the instance's clock.</summary>
    public TimeSpan ClusterProvisionDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long each Cluster API machine step takes (a machine created, Ready, or deleted), on the
    /// instance's clock; small by default so rollouts in end-to-end tests finish in about a second.
    /// </summary>
    public TimeSpan ClusterMachineStepInterval { get; init; } = ClusterApiController.DefaultMachineStepInterval;

    /// <summary>The object store the Velero controllers of one call share (the process-wide one by default).</summary>
    public Velero.VeleroObjectStorage VeleroStorage { get; init; } = Velero.VeleroObjectStorage.Shared;

    /// <summary>How long a Velero Backup stays InProgress, on the instance's clock.</summary>
    public TimeSpan VeleroBackupDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a Velero Restore stays InProgress, on the instance's clock.</summary>
    public TimeSpan VeleroRestoreDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The cluster set the MCS controllers of one settings object join (a new one per settings, so one fleet shares it).</summary>
    public Mcs.McsClusterSet McsClusterSet { get; init; } = new();
}
