using BqDispatch.Cli;

var environment = Environment.GetEnvironmentVariables()
    .Cast<System.Collections.DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
if (!StopSignals.TryReadGrace(environment, out var grace, out var problem))
{
    Console.Error.WriteLine($"bqdispatch: {problem}");
    return 2;
}

using var signals = new StopSignals(grace, Console.Error);
return await CommandLine.Run(args, Console.Out, Console.Error, environment, signals.Stopping);
