namespace MultiCluster.Engine.Traffic;

/// <summary>Stable error ids of the Route 53 client, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class Route53ErrorIds
{
    /// <summary>No hosted zone has the name or id given.</summary>
    public const string Route53ZoneNotFound = nameof(Route53ZoneNotFound);

    /// <summary>No AWS credentials were found for Route 53.</summary>
    public const string Route53CredentialsMissing = nameof(Route53CredentialsMissing);

    /// <summary>Route 53 refused the credentials or the signature (403).</summary>
    public const string Route53AccessDenied = nameof(Route53AccessDenied);

    /// <summary>Route 53 rejected a change batch or a request's input (400).</summary>
    public const string Route53ChangeRejected = nameof(Route53ChangeRejected);

    /// <summary>Route 53 failed or could not be reached.</summary>
    public const string Route53RequestFailed = nameof(Route53RequestFailed);

    /// <summary>A change did not reach INSYNC in time.</summary>
    public const string Route53ChangeTimeout = nameof(Route53ChangeTimeout);
}
