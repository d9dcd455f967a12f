namespace BqDispatch.Core.Google;

/// <summary>
/// Google credentials cannot be found or loaded. The message is one line naming the environment variable to set or
/// fix; it never contains credential JSON, tokens or key material (and no inner exception carrying them is kept).
/// </summary>
public sealed class GoogleAccessException : Exception
{
    public GoogleAccessException(string message)
        : base(message)
    {
    }
}
