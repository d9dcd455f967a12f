using BqDispatch.Core.Throttling;

namespace BqDispatch.Core.Dispatch.InProcess;

/// <summary>The throttle lanes of the in-process engine, one per project; they outlive runs, like entities.</summary>
public sealed class ThrottleLanes
{
    private readonly Dictionary<string, ThrottleLane> lanes = new(StringComparer.Ordinal);

    public Admission Admit(string project, AdmissionRequest request)
    {
        lock (lanes)
        {
            if (!lanes.TryGetValue(project, out var lane))
            {
                lane = new ThrottleLane();
                lanes[project] = lane;
            }

            return lane.Admit(request);
        }
    }
}
