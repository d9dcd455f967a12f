namespace BqDispatch.Core.Configuration;

/// <summary>bqtail's Slack credentials reference. Accepted for compatibility; the dispatcher never posts to Slack.</summary>
/// <param name="URL">Encrypted credentials file, e.g. <c>gs://cfg/Secrets/slack.json.enc</c>.</param>
/// <param name="Parameter">Secret parameter name, when the secret is not a file.</param>
/// <param name="Key">KMS key that decrypts it, e.g. <c>ring/key</c>.</param>
public sealed record SlackCredentials(string URL, string Parameter, string Key);
