using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace MultiCluster.Commands.Configuration;

/// <summary>
/// Reads a SecureString's characters as UTF-8 bytes at the moment they are needed, zeroing the
/// unmanaged copy and the character buffer on the way; the caller zeroes the bytes.
/// </summary>
internal static class SecureStringBytes
{
    public static byte[] Read(SecureString value)
    {
        var unmanaged = Marshal.SecureStringToGlobalAllocUnicode(value);
        var chars = new char[value.Length];
        try
        {
            Marshal.Copy(unmanaged, chars, 0, chars.Length);
            return Encoding.UTF8.GetBytes(chars);
        }
        finally
        {
            Array.Clear(chars);
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }
}
