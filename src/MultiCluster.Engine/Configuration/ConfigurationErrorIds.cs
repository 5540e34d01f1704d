namespace MultiCluster.Engine.Configuration;

/// <summary>Stable error ids of secret and configuration sync, beside <see cref="Errors.FleetErrorIds"/>.</summary>
public static class ConfigurationErrorIds
{
    /// <summary>A source Secret or ConfigMap named (or selected) on the source cluster is not there.</summary>
    public const string SecretSourceNotFound = nameof(SecretSourceNotFound);

    /// <summary>No source, or more than one (-Value, -Credential, -Data, -Path, -SourceCluster), is given, or a source lacks what it needs.</summary>
    public const string SecretSourceConflict = nameof(SecretSourceConflict);

    /// <summary>A key's value is empty.</summary>
    public const string SecretValueEmpty = nameof(SecretValueEmpty);

    /// <summary>A value that must be a SecureString is plain text (or something else).</summary>
    public const string SecretValueNotSecure = nameof(SecretValueNotSecure);

    /// <summary>A key is not a valid Secret or ConfigMap key ([-._a-zA-Z0-9]+, at most 253 characters).</summary>
    public const string SecretKeyInvalid = nameof(SecretKeyInvalid);

    /// <summary>A Secret or ConfigMap manifest cannot be used (wrong kind, no data, data that is not base64).</summary>
    public const string SecretManifestInvalid = nameof(SecretManifestInvalid);

    /// <summary>Rollout waves are missing, select nothing, or leave a selected cluster out.</summary>
    public const string SecretWaveInvalid = nameof(SecretWaveInvalid);

    /// <summary>Deployments restarted after a change were not ready before the wave's timeout; later waves were not started.</summary>
    public const string SecretRolloutNotReady = nameof(SecretRolloutNotReady);
}
