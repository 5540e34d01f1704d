using System.Text.RegularExpressions;
using MultiCluster.Engine.Errors;

namespace MultiCluster.Engine.Configuration;

/// <summary>
/// One key of a Secret or ConfigMap and a way to read its bytes when they are needed (hashing,
/// building a request body), not before: the cmdlet hands over a reader that converts its
/// SecureString at that moment. Every caller of <see cref="Read"/> zeroes the array it gets.
/// </summary>
public sealed partial class SecretValue
{
    private readonly Func<byte[]> _read;

    /// <param name="isEmpty">Whether the value has no bytes, known without reading it (a SecureString's Length).</param>
    public SecretValue(string key, Func<byte[]> read, bool isEmpty)
    {
        Key = key;
        _read = read;
        IsEmpty = isEmpty;
    }

    public string Key { get; }

    public bool IsEmpty { get; }

    /// <summary>A fresh copy of the value's bytes; the caller zeroes it after use.</summary>
    public byte[] Read() => _read();

    /// <summary>Never the value.</summary>
    public override string ToString() => Key;

    /// <summary>
    /// Throws SecretKeyInvalid for a key the API server refuses and SecretValueEmpty for an empty
    /// value; <paramref name="where"/> names the object ("Secret app/db") and the input.
    /// </summary>
    public static void Check(IReadOnlyList<SecretValue> values, string where)
    {
        foreach (var value in values)
        {
            if (value.Key.Length > 253 || !KeyPattern().IsMatch(value.Key))
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretKeyInvalid, FleetErrorCategory.InvalidArgument, $"{where} key '{value.Key}'",
                    $"The key '{value.Key}' of {where} is not a valid key: keys consist of letters, digits, '-', '_' and '.' (at most 253 characters).",
                    recommendedAction: "Rename the key, for example 'db-password' or 'db_password'.");
            }
            if (value.IsEmpty)
            {
                throw new FleetInputException(ConfigurationErrorIds.SecretValueEmpty, FleetErrorCategory.InvalidData, $"{where} key '{value.Key}'",
                    $"The value of key '{value.Key}' of {where} is empty.",
                    recommendedAction: "Give the key a value, or leave the key out.");
            }
        }
        var duplicate = values.GroupBy(v => v.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FleetInputException(ConfigurationErrorIds.SecretKeyInvalid, FleetErrorCategory.InvalidArgument, $"{where} key '{duplicate.Key}'",
                $"The key '{duplicate.Key}' of {where} is given more than once.");
        }
    }

    /// <summary>The error for a value that should have been a SecureString; names the key and the type, never the value.</summary>
    public static FleetInputException NotSecure(string parameter, string key, string typeName) =>
        new(ConfigurationErrorIds.SecretValueNotSecure, FleetErrorCategory.InvalidArgument, $"{parameter} key '{key}'",
            $"The {parameter} value of key '{key}' is a {typeName}, not a SecureString; plain text is refused so that no value travels or shows as text.",
            recommendedAction: "Convert it first, for example @{ password = (Read-Host -AsSecureString) } or ConvertTo-SecureString -AsPlainText -Force, or pass Get-Secret's output as it is.");

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex KeyPattern();
}
