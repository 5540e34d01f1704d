namespace MultiCluster.Engine.Dns;

/// <summary>
/// Moves a service's traffic from one cluster to another (a DNS record, ExternalDNS annotations).
/// The seam between Recovery, which decides when traffic moves (never before a restore
/// succeeded), and Traffic, which knows how (Route 53): capabilities never use each other, so
/// the failover takes this interface and the cmdlet composes it with a Traffic implementation.
/// </summary>
public interface ITrafficSwitch
{
    /// <summary>What moves where, for plans and step messages ("Route 53 app.example.com. A -> 192.0.2.20").</summary>
    string Description { get; }

    /// <summary>Checks everything the switch needs (zone, record, credentials) without changing anything; throws a FleetException otherwise.</summary>
    Task CheckAsync(CancellationToken cancellationToken);

    /// <summary>True when traffic already goes to the target (a resumed failover does not switch twice).</summary>
    Task<bool> IsSwitchedAsync(CancellationToken cancellationToken);

    /// <summary>Switches and waits until the change is in effect (Route 53: INSYNC); returns a line for the step's message.</summary>
    Task<string> SwitchAsync(CancellationToken cancellationToken);
}
