namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// An emulator process and a fleet file over its clusters, started once for a test class; every
/// test's session imports that fleet. A subclass starts the emulator and writes the fleet.
/// </summary>
public abstract class EmulatedFleetFixture : IAsyncLifetime
{
    public EmulatorProcess Emulator { get; protected set; } = null!;

    protected string FleetYaml { get; set; } = "";

    public abstract Task InitializeAsync();

    public PowerShellSession NewSession()
    {
        var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", FleetYaml, Emulator.Kubeconfig).ThrowIfFailed();
        return session;
    }

    public async Task DisposeAsync()
    {
        // Null when the fixture did not start (its tests skip where ../shared/crds is absent).
        if (Emulator is not null) await Emulator.DisposeAsync();
    }
}
