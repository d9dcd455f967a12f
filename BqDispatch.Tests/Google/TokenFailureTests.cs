using System.Security.Cryptography;
using System.Text.Json;
using BqDispatch.Cli;
using BqDispatch.Core.Dispatch.InProcess;
using BqDispatch.Core.Dispatch.Status;
using BqDispatch.Core.Google;
using BqDispatch.Core.Hosting;
using BqDispatch.Tests.Support;
using Xunit;

namespace BqDispatch.Tests.Google;

/// <summary>
/// A service-account credential whose token endpoint fails and echoes the signed request it got (as a hostile or
/// misconfigured endpoint may): the run goes on, reports one line naming the credential and the HTTP status, and no
/// part of the assertion or the key reaches stdout, stderr, the status document, performance.json or any file.
/// </summary>
public sealed class TokenFailureTests : IDisposable
{
    private const string TokenPath = "/token";
    private const string Credential = "service_account credential from GOOGLE_CREDENTIALS_JSON";

    // One attempt: the library retries a failing token endpoint itself for a few seconds.
    private static readonly RetryPolicy OneAttempt = RetryPolicy.Default with { AttemptTimeout = TimeSpan.FromSeconds(20), Deadline = TimeSpan.Zero };

    private readonly string root = Directory.CreateTempSubdirectory("bqdispatch-token-").FullName;
    private readonly RSA key = RSA.Create(2048);

    public void Dispose()
    {
        key.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Theory]
    [InlineData(400, "the token endpoint answered HTTP 400 (invalid_grant)")]
    [InlineData(500, "the token endpoint answered HTTP 500")]
    [InlineData(200, "the credential returned an empty access token")]
    public async Task A_failing_token_endpoint_is_one_line_in_the_status_and_its_echo_goes_nowhere(int status, string expected)
    {
        await using var fake = await EchoingTokenEndpoint(status);
        using var setup = await DispatcherSetup.Create(Config(), Environment(fake), CancellationToken.None, OneAttempt);
        var log = new List<string>();

        var document = await setup.RunInProcess(new ProjectThrottles(), setup.Settings(maxCycles: 1), log.Add, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(StatusDocument.Failed, document.Status);
        var error = Assert.Single(document.Errors);
        Assert.Contains($"jobs.list p1: Google token request failed ({Credential}): {expected}", error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "journal", "performance.json")));
        Assert.True(File.Exists(Path.Combine(root, "tasks", "proj:p1:US", "ds.t--1_00001_load--dispatch")));
        AssertNoSecret(fake, StatusJson.Serialize(document, indented: true), string.Join('\n', log), Files());
    }

    [Fact]
    public async Task The_cli_prints_one_line_and_the_status_without_any_of_the_assertion()
    {
        await using var fake = await EchoingTokenEndpoint(400);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CommandLine.Run(["once", "--config", Config(), "--max-cycles", "1"], stdout, stderr, Environment(fake));

        Assert.Equal(1, code);
        Assert.Contains($"Google token request failed ({Credential}): the token endpoint answered HTTP 400 (invalid_grant)", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(StatusDocument.Failed, StatusJson.Deserialize<StatusDocument>(stdout.ToString()).Status);
        AssertNoSecret(fake, stdout.ToString(), stderr.ToString(), Files());
    }

    [Fact]
    public async Task A_token_endpoint_that_never_finishes_answering_costs_one_attempt()
    {
        await using var tokens = new HostileServer(Hostility.SlowHeaders);
        var environment = new Dictionary<string, string?>
        {
            [GoogleAccess.CredentialsJsonVariable] = ServiceAccountAuthTests.ServiceAccountJson(key, $"http://{tokens.HostAndPort}/token"),
        };
        var oneSecond = OneAttempt with { AttemptTimeout = TimeSpan.FromSeconds(1) };
        using var setup = await DispatcherSetup.Create(Config(), environment, CancellationToken.None, oneSecond);

        var document = await setup.RunInProcess(new ProjectThrottles(), setup.Settings(maxCycles: 1), _ => { }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEmpty(tokens.Requests);
        Assert.Contains("jobs.list p1: timed out", Assert.Single(document.Errors), StringComparison.Ordinal);
    }

    /// <summary>A token endpoint that answers <paramref name="status"/> and quotes the whole request form back.</summary>
    private static async Task<FakeGoogle> EchoingTokenEndpoint(int status)
    {
        var fake = await FakeGoogle.Start();
        fake.On(TokenPath, request => (status, status switch
        {
            400 => JsonSerializer.Serialize(new { error = "invalid_grant", error_description = request.Body }),
            200 => JsonSerializer.Serialize(new { token_type = "Bearer", error_description = request.Body }),
            _ => "upstream said: " + request.Body,
        }));
        return fake;
    }

    private void AssertNoSecret(FakeGoogle fake, params string[] outputs)
    {
        var assertion = Assert.Single(fake.At(TokenPath).Select(r => r.Form()["assertion"]).Distinct());
        var parts = assertion.Split('.');
        var keyMaterial = key.ExportPkcs8PrivateKeyPem().Split('\n')[1];
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(parts[1], output, StringComparison.Ordinal);
            Assert.DoesNotContain(parts[2], output, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", output, StringComparison.Ordinal);
            Assert.DoesNotContain("assertion", output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(keyMaterial, output, StringComparison.Ordinal);
        }
    }

    private Dictionary<string, string?> Environment(FakeGoogle fake) => new()
    {
        [GoogleAccess.CredentialsJsonVariable] = ServiceAccountAuthTests.ServiceAccountJson(key, fake.Url(TokenPath)),
    };

    /// <summary>Everything the run wrote: performance.json, error files, trigger files, the trace.</summary>
    private string Files() => string.Join('\n', Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(File.ReadAllText));

    private string Config()
    {
        var trace = Path.Combine(root, "tasks", "proj:p1:US", "ds.t--1_00001_load--dispatch");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        File.WriteAllText(trace, "{}");
        File.SetLastWriteTimeUtc(trace, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        return $$"""
            {"ProjectID":"p1","AsyncTaskURL":"file://{{root}}/tasks/","TriggerBucket":"file://{{root}}/trigger",
             "JournalURL":"file://{{root}}/journal/","ErrorURL":"file://{{root}}/errors/"}
            """;
    }
}
