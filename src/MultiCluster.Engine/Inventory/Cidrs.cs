using System.Net;
using System.Net.Sockets;

namespace MultiCluster.Engine.Inventory;

/// <summary>An IPv4 or IPv6 network in CIDR notation.</summary>
public readonly record struct Cidr(IPAddress Network, int PrefixLength)
{
    public AddressFamily Family => Network.AddressFamily;

    /// <summary>True when the two networks share at least one address.</summary>
    public bool Overlaps(Cidr other)
    {
        if (Family != other.Family) return false;
        var shorter = Math.Min(PrefixLength, other.PrefixLength);
        return Cidrs.SamePrefix(Network.GetAddressBytes(), other.Network.GetAddressBytes(), shorter);
    }

    public override string ToString() => $"{Network}/{PrefixLength}";
}

public static class Cidrs
{
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/');
        if (slash <= 0) return false;
        if (!IPAddress.TryParse(text[..slash], out var address)) return false;
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(text[(slash + 1)..], out var prefix) || prefix < 0 || prefix > maxPrefix) return false;
        cidr = new Cidr(address, prefix);
        return true;
    }

    internal static bool SamePrefix(byte[] a, byte[] b, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            var mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
        }
        return true;
    }
}
