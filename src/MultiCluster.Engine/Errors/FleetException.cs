namespace MultiCluster.Engine.Errors;

/// <summary>
/// Every failure the engine reports. Carries a stable PascalCase error id, a category and the
/// target (a cluster name, or "cluster: kind namespace/name"), never null, and optionally a
/// recommended action. Messages never contain secrets.
/// </summary>
public class FleetException : Exception
{
    public FleetException(string errorId, FleetErrorCategory category, string target, string message,
        Exception? inner = null, string? recommendedAction = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target ?? "";
        RecommendedAction = recommendedAction;
    }

    public string ErrorId { get; }
    public FleetErrorCategory Category { get; }
    public string Target { get; }
    public string? RecommendedAction { get; }
}

/// <summary>Input that makes the whole call meaningless: reported before any cluster is touched.</summary>
public class FleetInputException : FleetException
{
    public FleetInputException(string errorId, FleetErrorCategory category, string target, string message,
        Exception? inner = null, string? recommendedAction = null)
        : base(errorId, category, target, message, inner, recommendedAction) { }
}

/// <summary>A failure on one cluster (or one object on it); the others carry on.</summary>
public class FleetClusterException : FleetException
{
    public FleetClusterException(string errorId, FleetErrorCategory category, string cluster, string message,
        Exception? inner = null, string? recommendedAction = null, string? objectRef = null)
        : base(errorId, category, objectRef is null ? cluster : $"{cluster}: {objectRef}", message, inner, recommendedAction)
    {
        Cluster = cluster;
        ObjectRef = objectRef;
    }

    public string Cluster { get; }
    public string? ObjectRef { get; }
}

/// <summary>Stable error ids, in one place so docs and tests name the same strings.</summary>
public static class FleetErrorIds
{
    public const string ClusterContextNotFound = nameof(ClusterContextNotFound);
    public const string ClusterUnreachable = nameof(ClusterUnreachable);
    public const string ClusterTimeout = nameof(ClusterTimeout);
    public const string ClusterAuthenticationFailed = nameof(ClusterAuthenticationFailed);
    public const string ClusterAccessDenied = nameof(ClusterAccessDenied);
    public const string ClusterCertificateInvalid = nameof(ClusterCertificateInvalid);
    public const string ClusterNotFound = nameof(ClusterNotFound);
    public const string NoClustersSelected = nameof(NoClustersSelected);
    public const string NoFleet = nameof(NoFleet);
    public const string FleetFileInvalid = nameof(FleetFileInvalid);
    public const string KubeconfigInvalid = nameof(KubeconfigInvalid);
    public const string ResourceNotFound = nameof(ResourceNotFound);
    public const string ResourceKindUnknown = nameof(ResourceKindUnknown);
    public const string ApplyConflict = nameof(ApplyConflict);
    public const string ResourceAlreadyExists = nameof(ResourceAlreadyExists);
    public const string ResourceChanged = nameof(ResourceChanged);
    public const string ManifestInvalid = nameof(ManifestInvalid);
    public const string ManifestParseFailed = nameof(ManifestParseFailed);
    public const string SelectorInvalid = nameof(SelectorInvalid);
    public const string DeletionLimitExceeded = nameof(DeletionLimitExceeded);
    public const string ClusterListFailed = nameof(ClusterListFailed);
    public const string ServerError = nameof(ServerError);
    public const string CredentialPluginFailed = nameof(CredentialPluginFailed);
    public const string AwsCredentialsNotFound = nameof(AwsCredentialsNotFound);
    public const string ClusterRequestFailed = nameof(ClusterRequestFailed);
    public const string OperationCancelled = nameof(OperationCancelled);
    public const string ClusterNotReady = nameof(ClusterNotReady);
    public const string OutputPathNotWritable = nameof(OutputPathNotWritable);
}
