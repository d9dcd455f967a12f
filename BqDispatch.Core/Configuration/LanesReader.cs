using System.Globalization;
using System.Text.RegularExpressions;
using BqDispatch.Core.Throttling;
using Newtonsoft.Json.Linq;

namespace BqDispatch.Core.Configuration;

/// <summary>
/// Reads <c>Lanes</c>: an array of <c>{"Name", "When": {"Dest", "Action", "Project", "Region"}, "Priority",
/// "MaxConcurrentSQL", "MaxConcurrentLoad", "MaxWaitSec"}</c>. Every error names the lane
/// (<c>Lanes.backfill.Priority …</c>), or its position when it has no usable name.
/// </summary>
internal static class LanesReader
{
    /// <summary>Lanes a configuration may define (main included); each becomes a row of the status and of the queue.</summary>
    public const int MaxLanes = 20;

    private static readonly Regex ValidName = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant);

    public static IReadOnlyList<Lane> Read(ConfigDocument doc)
    {
        var elements = doc.Objects(ConfigKeys.Lanes, ConfigKeys.LaneKeys, Label);
        if (elements is null)
        {
            return [];
        }

        if (elements.Count > MaxLanes)
        {
            throw new ConfigException($"config: {ConfigKeys.Lanes} holds {elements.Count} lanes; at most {MaxLanes} are allowed");
        }

        var lanes = new List<Lane>();
        var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < elements.Count; i++)
        {
            var lane = ReadLane(elements[i], i);
            if (!positions.TryAdd(lane.Name, i))
            {
                throw new ConfigException(
                    $"config: lane '{lane.Name}' is defined twice ({ConfigKeys.Lanes}[{positions[lane.Name]}] and {ConfigKeys.Lanes}[{i}]; names ignore case)");
            }

            lanes.Add(lane);
        }

        return lanes;
    }

    // A lane is named by its name where it has a usable one, else by its position.
    private static string Label(int index, JObject element)
    {
        var name = element.Properties().FirstOrDefault(p => string.Equals(p.Name, "Name", StringComparison.OrdinalIgnoreCase))?.Value;
        return name is { Type: JTokenType.String } && ValidName.IsMatch(name.Value<string>()!)
            ? $"{ConfigKeys.Lanes}.{name.Value<string>()}"
            : $"{ConfigKeys.Lanes}[{index.ToString(CultureInfo.InvariantCulture)}]";
    }

    private static Lane ReadLane(ConfigDocument lane, int index)
    {
        var name = lane.String("Name")
            ?? throw new ConfigException($"config: {ConfigKeys.Lanes}[{index}].Name is required");
        if (!ValidName.IsMatch(name))
        {
            throw new ConfigException(
                $"config: {ConfigKeys.Lanes}[{index}].Name '{name}' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        var when = ReadWhen(lane);
        if (name == Lane.MainName && when is not null)
        {
            throw new ConfigException($"config: {lane.Name("When")}: the lane main takes the work no other lane takes, so it has no When");
        }

        if (name != Lane.MainName && when is null)
        {
            throw new ConfigException(
                $"config: {lane.Name("When")} needs at least one of Dest, Action, Project, Region (a lane without one would take all work: configure the lane main instead)");
        }

        return new Lane(
            name,
            lane.Number("Priority", ConfigRange.ByLaneKey["Priority"]) ?? Lane.DefaultPriority,
            new ThrottleLimits(
                lane.Count("MaxConcurrentSQL", ConfigRange.ByLaneKey["MaxConcurrentSQL"]) ?? 0,
                lane.Count(ConfigKeys.MaxConcurrentLoad, ConfigRange.ByLaneKey[ConfigKeys.MaxConcurrentLoad]) ?? 0),
            lane.Count("MaxWaitSec", ConfigRange.ByLaneKey["MaxWaitSec"]),
            when);
    }

    private static LaneWhen? ReadWhen(ConfigDocument lane)
    {
        var when = lane.Object("When", ConfigKeys.LaneWhenKeys);
        if (when is null)
        {
            return null;
        }

        var read = new LaneWhen(Pattern(when, "Dest"), Pattern(when, "Action"), Pattern(when, "Project"), Pattern(when, "Region"));
        return read.IsEmpty ? null : read;
    }

    private static string? Pattern(ConfigDocument when, string key)
    {
        var pattern = when.String(key);
        if (pattern is null)
        {
            return null;
        }

        try
        {
            LanePattern.Compile(pattern);
            return pattern;
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"config: {when.Name(key)} is not a regular expression the dispatcher can use: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
