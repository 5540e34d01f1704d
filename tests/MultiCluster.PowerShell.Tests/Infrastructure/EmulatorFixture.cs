namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>Three emulated clusters shared by one test class, and a fleet file over them.</summary>
public class EmulatorFixture : IAsyncLifetime
{
    private readonly string? _controllers;

    public EmulatorFixture() : this(null) { }

    /// <summary>With simulated controllers, as the emulator's --controllers takes them ("rbac", "all").</summary>
    protected EmulatorFixture(string? controllers) => _controllers = controllers;

    public EmulatorProcess Emulator { get; private set; } = null!;

    /// <summary>prod-a (us-east-1, management, env=prod tier=gold), prod-b (eu-central-1, env=prod), dev-c (eu-central-1, env=dev).</summary>
    public string FleetYaml { get; private set; } = "";

    public string Kubeconfig => Emulator.Kubeconfig;
    public IReadOnlyList<string> Contexts => Emulator.Contexts;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorProcess.StartAsync(3, "ps" + Guid.NewGuid().ToString("N")[..4], controllers: _controllers);
        FleetYaml = $"""
            name: test-fleet
            clusters:
              - name: prod-a
                context: {Contexts[0]}
                region: us-east-1
                role: management
                labels: {"{"} env: prod, tier: gold {"}"}
              - name: prod-b
                context: {Contexts[1]}
                region: eu-central-1
                labels: {"{"} env: prod, tier: silver {"}"}
              - name: dev-c
                context: {Contexts[2]}
                region: eu-central-1
                labels: {"{"} env: dev {"}"}
            """;
    }

    /// <summary>A PowerShell session with the module imported and this fleet current.</summary>
    public PowerShellSession NewSession()
    {
        var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", FleetYaml, Kubeconfig).ThrowIfFailed();
        return session;
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
