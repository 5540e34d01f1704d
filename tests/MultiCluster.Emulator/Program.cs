using System.Runtime.InteropServices;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;

// Serves emulated clusters until stdin closes or SIGTERM/Ctrl+C; scripts wait for the READY line.
var clusters = 1;
string? kubeconfigPath = null;
string? crds = null;
var prefix = "emu";
var controllers = new List<string>();
var settings = new ControllerSettings();
TimeSpan Seconds(string value) => TimeSpan.FromSeconds(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--clusters": clusters = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--kubeconfig": kubeconfigPath = Value(); break;
        case "--crds": crds = Value(); break;
        case "--controllers": controllers.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
        case "--name-prefix": prefix = Value(); break;
        case "--cluster-provision-delay": settings = settings with { ClusterProvisionDelay = Seconds(Value()) }; break;
        case "--cluster-machine-step": settings = settings with { ClusterMachineStepInterval = Seconds(Value()) }; break;
        case "-h" or "--help":
            Console.WriteLine("usage: MultiCluster.Emulator --clusters N --kubeconfig PATH [--crds DIR|all] [--controllers all|NAME,...] [--name-prefix emu] [--cluster-provision-delay SECONDS] [--cluster-machine-step SECONDS]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]} (see --help)");
            return 2;
    }
}
if (kubeconfigPath is null)
{
    Console.Error.WriteLine("--kubeconfig PATH is required");
    return 2;
}
if (controllers.Count > 0)
{
    // Fail before starting anything when a name is unknown.
    ControllerCatalog.Create(settings, controllers.ToArray());
}

await using var fleet = await EmulatedFleet.StartAsync(clusters, prefix, kubeconfigPath,
    (_, options) => controllers.Count == 0 ? options : new EmulatedClusterOptions
    {
        Name = options.Name,
        Controllers = ControllerCatalog.Create(settings, controllers.ToArray()),
    });
if (crds is not null)
{
    foreach (var cluster in fleet.Clusters)
    {
        if (crds == "all") SharedCrds.LoadInto(cluster);
        else if (Directory.Exists(crds))
            foreach (var file in Directory.EnumerateFiles(crds, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                SharedCrds.LoadFile(cluster, file);
        else SharedCrds.LoadInto(cluster, crds.Split(','));
    }
}
foreach (var cluster in fleet.Clusters)
    Console.WriteLine($"{cluster.Name} {cluster.Server}");
Console.WriteLine("READY");
Console.Out.Flush();

var stop = new TaskCompletionSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
_ = Task.Run(() =>
{
    // stdin closing (the parent script ended) stops the server too.
    while (Console.In.ReadLine() is not null) { }
    stop.TrySetResult();
});
await stop.Task;
return 0;
