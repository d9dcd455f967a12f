namespace BqDispatch.Core.BigQuery;

/// <summary>A BigQuery API call failed (the call itself, not the job).</summary>
public sealed class BigQueryException : Exception
{
    public BigQueryException(int status, string? reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Reason = reason;
    }

    /// <summary>HTTP status; 0 for transport failures.</summary>
    public int Status { get; }

    /// <summary>error.errors[0].reason, e.g. accessDenied, notFound, rateLimitExceeded.</summary>
    public string? Reason { get; }

    /// <summary>True when the caller lacks permission (e.g. bigquery.jobs.listAll for allUsers=true).</summary>
    public bool IsAccessDenied => Status == 403 && Reason is "accessDenied" or null;
}
