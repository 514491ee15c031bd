import type { ControlPlane, Forge, Notifier } from '../../tools/context.ts';

const unused = (port: string) => () => {
  throw new Error(`this test does not expect the ${port} port to be used`);
};

/** Tool-context ports a unit test does not exercise: any use fails the test loudly. */
export function unusedPorts(): { forge: Forge; controlPlane: ControlPlane; notifier: Notifier } {
  return {
    forge: { openChangeRequest: unused('forge'), closeChangeRequest: unused('forge') },
    controlPlane: {
      applyVirtualPatch: unused('controlPlane'),
      quarantine: unused('controlPlane'),
      rollback: unused('controlPlane'),
      getMitigation: unused('controlPlane'),
    },
    notifier: { notify: unused('notifier') },
  };
}
