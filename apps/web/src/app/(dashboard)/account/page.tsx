import { AccountPage } from "../../../features/account";

export default function Page(): React.ReactNode {
  return <AccountPage />;
}
