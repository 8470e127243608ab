using System.Net;
using System.Net.Sockets;

namespace ComfyStudio.Web.Api.Auth;

/// <summary>
/// The client a request counts against, for rate limits and the failed-key throttle: its IPv4 address, or
/// its IPv6 /64 network (one subscriber usually holds a whole /64, so single addresses are free to rotate).
/// </summary>
public static class ClientAddress
{
    public const string Local = "local";

    public static string Of(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        if (ip is null) return Local;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
