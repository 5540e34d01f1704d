using System.Runtime.InteropServices;
using MultiCluster.Testing;
using MultiCluster.Testing.Controllers;

// Serves emulated clusters until SIGTERM or Ctrl+C, or, when started with its stdin a pipe, until the
// parent closes that pipe (or dies). Scripts wait for the READY line. A stdin that is a terminal,
// /dev/null or a file (`dotnet run ... &` in a script) never stops it.
var clusters = 1;
string? kubeconfigPath = null;
string? crds = null;
var prefix = "emu";
string[]? names = null;
var controllers = new List<string>();
var settings = new ControllerSettings();
string? route53Zone = null;
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
        case "--names": names = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); clusters = names.Length; break;
        case "--cluster-provision-delay": settings = settings with { ClusterProvisionDelay = Seconds(Value()) }; break;
        case "--cluster-machine-step": settings = settings with { ClusterMachineStepInterval = Seconds(Value()) }; break;
        case "--route53": route53Zone = Value(); break;
        case "-h" or "--help":
            Console.WriteLine("usage: MultiCluster.Emulator --clusters N --kubeconfig PATH [--crds DIR|all] [--controllers all|NAME,...] [--name-prefix emu | --names NAME,...] [--cluster-provision-delay SECONDS] [--cluster-machine-step SECONDS] [--route53 ZONE]");
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
    (index, options) =>
    {
        var name = names is null ? options.Name : names[index - 1];
        return new EmulatedClusterOptions
        {
            Name = name,
            Controllers = controllers.Count == 0 ? [] : ControllerCatalog.Create(settings, controllers.ToArray()),
        };
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
        // Velero installs its DownloadRequest CRD with the others; ../shared/crds lacks it.
        if (cluster.Registry.Find("velero.io", "restores") is not null && cluster.Registry.Find("velero.io", "downloadrequests") is null)
            MultiCluster.Testing.Controllers.Velero.VeleroDownloadRequestCrd.Install(cluster);
    }
}
foreach (var cluster in fleet.Clusters)
    Console.WriteLine($"{cluster.Name} {cluster.Server}");
// A Route 53 emulator holding one hosted zone, its credentials in an AWS shared credentials file (profile
// route53-emulator) beside the kubeconfig, readable by this user only. Its line starts with a word no
// cluster name can be (upper case): ROUTE53 <endpoint> <zone id> <credentials file>.
await using var route53 = route53Zone is null ? null : await MultiCluster.Testing.Route53.Route53Emulator.StartAsync();
if (route53 is not null)
{
    // INSYNC at once: the module asks again only every 30 seconds (the engine tests cover the PENDING wait).
    route53.PendingFor = TimeSpan.Zero;
    var accessKey = "AKIA" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    var secretKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(30));
    route53.AddCredentials(accessKey, secretKey);
    var zoneId = route53.AddHostedZone(route53Zone!);
    var credentials = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath))!, "route53-credentials");
    var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
    if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    await using (var file = new StreamWriter(credentials, System.Text.Encoding.ASCII, options))
        await file.WriteAsync($"[route53-emulator]\naws_access_key_id = {accessKey}\naws_secret_access_key = {secretKey}\n");
    Console.WriteLine($"ROUTE53 {route53.Endpoint} {zoneId} {credentials}");
}
Console.WriteLine("READY");
Console.Out.Flush();

var stop = new TaskCompletionSource();
// With a parent holding our stdin, the parent decides when we stop: a Ctrl+C meant for the parent's
// prompt (which the terminal sends to us too) must not take its clusters away.
var ownedByParent = StandardInput.IsPipe();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (!ownedByParent) stop.TrySetResult();
};
if (ownedByParent)
{
    _ = Task.Run(() =>
    {
        while (Console.In.ReadLine() is not null) { }
        stop.TrySetResult();
    });
}
await stop.Task;
return 0;
