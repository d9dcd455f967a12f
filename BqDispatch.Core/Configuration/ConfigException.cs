namespace BqDispatch.Core.Configuration;

/// <summary>The configuration cannot be used. The message is one line that names the offending key or source.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
