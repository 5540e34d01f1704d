using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace MultiCluster.Testing.ApiServer.Schema;

/// <summary>
/// The string formats apiextensions keeps (its supportedFormats list; every other format, including
/// int32/int64/float/double, is stripped and never checked), checked as kube-openapi's strfmt does.
/// isbn, isbn10, isbn13 and creditcard are in that list but are accepted unchecked here.
/// </summary>
internal static partial class StringFormats
{
    public static bool IsValid(string format, string text)
    {
        // go-openapi normalizes format names by dropping dashes: date-time == datetime.
        return format.Replace("-", "", StringComparison.Ordinal) switch
        {
            "bsonobjectid" => HexObjectId().IsMatch(text),
            "uri" => IsRequestUri(text),
            "email" => IsEmail(text),
            "hostname" => Hostname().IsMatch(text) && text.Length <= 255,
            "ipv4" => IPAddress.TryParse(text, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && Ipv4Dotted().IsMatch(text),
            "ipv6" => text.Contains(':') && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
            "cidr" => IsCidr(text),
            "mac" => Mac().IsMatch(text),
            "uuid" => Uuid().IsMatch(text),
            "uuid3" => Uuid3().IsMatch(text),
            "uuid4" => Uuid4().IsMatch(text),
            "uuid5" => Uuid5().IsMatch(text),
            "ssn" => Ssn().IsMatch(text),
            "hexcolor" => HexColor().IsMatch(text),
            "rgbcolor" => RgbColor().IsMatch(text),
            "byte" => IsBase64(text),
            "date" => DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "duration" => GoDuration().IsMatch(text) || WordDuration().IsMatch(text),
            "datetime" => IsDateTime(text),
            _ => true,
        };
    }

    // Go's url.ParseRequestURI: an absolute URI, or an absolute path.
    private static bool IsRequestUri(string text) =>
        text.Length > 0 && !text.Any(char.IsWhiteSpace) &&
        (text.StartsWith('/') || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && UriScheme().IsMatch(text) && uri.Scheme.Length > 0));

    private static bool IsEmail(string text)
    {
        try
        {
            return new System.Net.Mail.MailAddress(text).Address.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsCidr(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address)) return false;
        if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)) return false;
        return bits <= (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static bool IsDateTime(string text)
    {
        var match = DateTimeShape().Match(text);
        if (!match.Success) return false;
        var normalized = text.Replace('t', 'T').Replace('z', 'Z').Replace(' ', 'T');
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
    }

    [GeneratedRegex("^[0-9a-fA-F]{24}$")]
    private static partial Regex HexObjectId();
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex UriScheme();
    [GeneratedRegex(@"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$")]
    private static partial Regex Hostname();
    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex Ipv4Dotted();
    [GeneratedRegex("^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}$")]
    private static partial Regex Mac();
    [GeneratedRegex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")]
    private static partial Regex Uuid();
    [GeneratedRegex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")]
    private static partial Regex Uuid3();
    [GeneratedRegex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")]
    private static partial Regex Uuid4();
    [GeneratedRegex("(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$")]
    private static partial Regex Uuid5();
    [GeneratedRegex(@"^\d{3}[- ]?\d{2}[- ]?\d{4}$")]
    private static partial Regex Ssn();
    [GeneratedRegex("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    private static partial Regex HexColor();
    [GeneratedRegex(@"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$")]
    private static partial Regex RgbColor();
    [GeneratedRegex(@"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$")]
    private static partial Regex GoDuration();
    [GeneratedRegex(@"^\d+\s*(ns|nanoseconds?|us|microseconds?|ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?|w|weeks?)$")]
    private static partial Regex WordDuration();
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex DateTimeShape();
}
