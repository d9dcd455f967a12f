namespace BqDispatch.Core.Storage;

/// <summary>A storage call failed for a reason other than a precondition (permission, missing bucket, transport).</summary>
public sealed class StorageException : Exception
{
    public StorageException(string url, int status, string message, Exception? inner = null)
        : base($"{url}: {message}", inner)
    {
        Url = url;
        Status = status;
    }

    /// <summary>The object or folder URL the call was about.</summary>
    public string Url { get; }

    /// <summary>HTTP-style status: 403 permission, 404 not found, 429/5xx transient, 0 transport.</summary>
    public int Status { get; }

    /// <summary>True when the failure is worth retrying later (429, 5xx, transport).</summary>
    public bool IsTransient => Status is 0 or 408 or 429 or >= 500;
}
